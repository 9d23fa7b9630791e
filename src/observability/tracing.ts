// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. The spans: one per GraphQL
// operation (operation-telemetry.ts), Prisma's queries, outgoing fetch (model, WhatsApp; the undici
// instrumentation), webhook and SMTP sends (withSpan), and one per job run. A job joins the trace of the
// request that queued it: the outbox row keeps the request's traceparent, the queue carries it with the job
// (JobOptions.traceParent), and the job's span continues it, so one escalation is one trace from ingest to
// notification. Without the SDK every call here is the API's no-op: nothing is recorded or sent.
import { randomUUID } from 'node:crypto';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';

const TRACER_NAME = 'conversation-intelligence';

export const tracer = () => trace.getTracer(TRACER_NAME);

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT (OTLP over HTTP, JSON); the exporter adds /v1/traces. */
  endpoint: string;
  serviceName: string;
  role: string;
}

export interface Tracing {
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers the SDK globally (AsyncLocalStorage context, W3C propagation, batched OTLP/HTTP export) and the
 * Prisma and undici instrumentations. Call it before the database is opened. The SDK is imported only here,
 * so a process without tracing does not load it.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [
    sdk,
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    undici,
    prisma,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-undici'),
    import('@prisma/instrumentation'),
  ]);
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.instance.id': randomUUID(),
      'deployment.role': options.role,
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }), {
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new undici.UndiciInstrumentation(),
      // A span per query, transaction and operation; not the client's own serialize/compile steps.
      new prisma.PrismaInstrumentation({
        ignoreSpanTypes: ['prisma:client:serialize', 'prisma:client:compile'],
      }),
    ],
  });
  return {
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

/** As the OTel exporters read OTEL_EXPORTER_OTLP_ENDPOINT: the traces path is added to the base URL. */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** The W3C traceparent of the current span, to carry it where async context cannot go (the outbox). */
export function currentTraceParent(): string | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Runs `work` in a new span (a child of the current one); errors are recorded on it and thrown on. */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  options: { kind?: SpanKind; parent?: string | undefined } = {},
): Promise<T> {
  const parent = options.parent
    ? propagation.extract(ROOT_CONTEXT, { traceparent: options.parent })
    : context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks a span as failed with its exception. */
export function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
}

/** The current trace id (for log lines), when a span is recording. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

export { SpanKind };
