import { context, trace } from '@opentelemetry/api';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../observability/metrics.js';
import { failed, SpanKind, tracer } from '../observability/tracing.js';
import { codesOf } from './access-log.js';
import type { Context } from './context.js';

/**
 * Metrics and a trace span per GraphQL operation: its duration by name and type, the error codes of its
 * answer, and (when tracing is on) a span the resolvers' SQL and outgoing calls nest in. Answers refused
 * before execution over HTTP (bad input, credentials, rate limits) count their error codes too.
 */
export function useOperationTelemetry(metrics: Metrics | undefined): Plugin<Context> {
  const executed = new WeakSet<object>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const started = performance.now();
      const operation = getOperationAST(args.document, args.operationName);
      const name = args.operationName ?? operation?.name?.value ?? null;
      const type = operation?.operation ?? 'unknown';
      const request = requestOf(args.contextValue);
      if (request) executed.add(request);
      const span = tracer().startSpan(`graphql.${type} ${name ?? 'anonymous'}`, {
        kind: SpanKind.SERVER,
        attributes: { 'graphql.operation.name': name ?? '', 'graphql.operation.type': type },
      });
      if (span.isRecording()) {
        setExecuteFn((executeArgs) =>
          context.with(trace.setSpan(context.active(), span), () => executeFn(executeArgs)),
        );
      }
      return {
        onExecuteDone({ result }) {
          metrics?.operation(name, type, (performance.now() - started) / 1000);
          if (Symbol.asyncIterator in result) {
            span.end();
            return;
          }
          const codes = codesOf(result);
          metrics?.errors(codes);
          if (codes.length) {
            span.setAttribute('graphql.error.codes', codes);
            failed(span, new Error(codes.join(', ')));
          }
          span.end();
        },
      };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      const operation = getOperationAST(args.document, args.operationName);
      const name = args.operationName ?? operation?.name?.value ?? null;
      return {
        onSubscribeResult({ result }) {
          metrics?.operation(name, 'subscription', (performance.now() - started) / 1000);
          if (!(Symbol.asyncIterator in result)) metrics?.errors(codesOf(result));
        },
      };
    },
    onResultProcess({ request, result }) {
      if (!metrics || executed.has(request)) return;
      const results: ExecutionResult[] = Array.isArray(result)
        ? result
        : Symbol.asyncIterator in result
          ? []
          : [result];
      for (const one of results) metrics.errors(codesOf(one));
    },
  };
}

/** Yoga's HTTP request in the context (a WebSocket operation has none). */
function requestOf(contextValue: unknown): object | undefined {
  const request = (contextValue as { request?: unknown }).request;
  return typeof request === 'object' && request !== null ? request : undefined;
}
