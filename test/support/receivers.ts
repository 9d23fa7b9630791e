// Outside services as real local HTTP servers: an OpenAI-compatible model that escalates every message,
// a webhook receiver, and an OTLP/HTTP (JSON) trace collector.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

/** Every classification answered with SPEAK_TO_HUMAN, 120 prompt and 30 completion tokens. */
export async function startModelServer(): Promise<Receiver & { readonly calls: number }> {
  let calls = 0;
  const server = createServer((request, response) => {
    void bodyOf(request).then(() => {
      calls += 1;
      const content = {
        escalations: [{ type: 'SPEAK_TO_HUMAN', confidence: 0.95, evidence: 'a real person' }],
        emotion: { emotion: 'ANGRY', score: -70 },
        language: 'en',
        topics: ['support'],
        events: [],
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'test-model',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: JSON.stringify(content), refusal: null },
              finish_reason: 'stop',
              logprobs: null,
            },
          ],
          usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
        }),
      );
    });
  });
  const url = `${await listen(server)}/v1`;
  return {
    url,
    get calls() {
      return calls;
    },
    close: () => close(server),
  };
}

/** Accepts every POST with 204, counts them and keeps their JSON bodies. */
export async function startWebhookReceiver(): Promise<
  Receiver & { readonly received: number; bodies: { type: string; data: Record<string, unknown> }[] }
> {
  const bodies: { type: string; data: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      bodies.push(JSON.parse(body) as { type: string; data: Record<string, unknown> });
      response.writeHead(204).end();
    });
  });
  const url = `${await listen(server)}/hooks`;
  return {
    url,
    bodies,
    get received() {
      return bodies.length;
    },
    close: () => close(server),
  };
}

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** The resource's service.name and deployment.role. */
  service: string;
  role: string;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

/** An OTLP/HTTP collector (the JSON encoding, what @opentelemetry/exporter-trace-otlp-http sends). */
export async function startTraceCollector(): Promise<Receiver & { spans: CollectedSpan[] }> {
  const spans: CollectedSpan[] = [];
  const server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      if (request.url !== '/v1/traces') return void response.writeHead(404).end();
      const parsed = JSON.parse(body) as OtlpExport;
      for (const resourceSpans of parsed.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              service: String(resource['service.name']),
              role: String(resource['deployment.role']),
              attributes: attributesOf(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const url = await listen(server);
  return { url, spans, close: () => close(server) };
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
