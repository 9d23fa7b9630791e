// Signed webhooks the Standard Webhooks way (https://www.standardwebhooks.com): headers webhook-id,
// webhook-timestamp and webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>").
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { DeliveryError } from './delivery-error.js';
import { dashboardPayload, type EscalationNotice } from './notice.js';
import { assertPublicUrl, publicOnlyLookup, UnsafeUrlError } from './ssrf.js';
import { SpanKind, withSpan } from '../observability/tracing.js';

export interface WebhookMessage {
  /** webhook-id: the same on every retry of one message, so receivers can drop duplicates. */
  id: string;
  /** e.g. escalation.raised */
  type: string;
  /** When the event happened (the body's timestamp; the header carries the time of sending). */
  timestamp: Date;
  data: Record<string, unknown>;
}

export interface WebhookTarget {
  url: string;
  /** The endpoint's "whsec_…" secret; null sends unsigned (a bare URL from an app service's settings). */
  secret: string | null;
}

/** Sends one message to one URL; throws a DeliveryError on any failure. */
export type WebhookSender = (target: WebhookTarget, message: WebhookMessage) => Promise<void>;

export interface WebhookSenderOptions {
  /** WEBHOOKS_ALLOW_PRIVATE, for development: allow loopback and private addresses. */
  allowPrivate: boolean;
  timeoutMs?: number;
  /** The clock of the webhook-timestamp header. */
  now?: () => Date;
}

/** The escalation.raised message: the dashboard payload plus what a receiver needs to act on it. */
/** The body's `type` of each kind of notice; endpoints subscribe to these. */
export const WEBHOOK_TYPE_OF = {
  escalation: 'escalation.raised',
  handoff: 'conversation.handed_over',
  sla: 'sla.alert',
} as const;

export function escalationWebhookMessage(id: string, notice: EscalationNotice): WebhookMessage {
  return {
    id,
    type: WEBHOOK_TYPE_OF[notice.kind ?? 'escalation'],
    timestamp: notice.createdAt,
    data: {
      ...dashboardPayload(notice),
      organization_id: notice.organizationId,
      type: notice.type,
      evidence: notice.evidence,
      link: notice.link,
      ...(notice.headline ? { headline: notice.headline } : {}),
    },
  };
}

/** The JSON body: { type, timestamp, data }. */
export function webhookBody(message: WebhookMessage): string {
  return JSON.stringify({
    type: message.type,
    timestamp: message.timestamp.toISOString(),
    data: message.data,
  });
}

/** The Standard Webhooks headers for a body sent at `at`; no signature without a secret. */
export function webhookHeaders(
  secret: string | null,
  messageId: string,
  body: string,
  at: Date,
): Record<string, string> {
  const headers: Record<string, string> = {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  };
  if (secret) headers['webhook-signature'] = new Webhook(secret).sign(messageId, at, body);
  return headers;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  return async (target, message) => {
    let url: URL;
    try {
      url = await assertPublicUrl(target.url, { allowPrivate: options.allowPrivate });
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw new DeliveryError(`Refused: URL ${error.message}`, true);
      throw error;
    }
    const body = webhookBody(message);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'conversation-intelligence-webhooks/1',
      ...webhookHeaders(target.secret, message.id, body, now()),
    };
    // The span names the host, not the URL: its path or query may hold the endpoint's secret.
    const response = await withSpan(
      'POST webhook',
      { 'http.request.method': 'POST', 'server.address': url.hostname },
      async (span) => {
        const answer = await post(url, headers, body, { timeoutMs, allowPrivate: options.allowPrivate });
        span.setAttribute('http.response.status_code', answer.status);
        return answer;
      },
      { kind: SpanKind.CLIENT },
    );
    if (response.status >= 200 && response.status < 300) return;
    const detail = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
    const snippet = response.body.trim().slice(0, 200);
    throw new DeliveryError(`HTTP ${response.status}${detail}${snippet ? `: ${snippet}` : ''}`);
  };
}

/** One POST, no redirects, no connection reuse; with the address check at connect time unless allowed. */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<{ status: number; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // A fresh agent per request: a pooled socket must not carry a connection made under other rules.
        agent: false,
        lookup: options.allowPrivate ? undefined : publicOnlyLookup,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Only the start is kept, for lastError.
          if (size < 4096) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8', 0, 4096),
          }),
        );
        response.on('error', (error) => reject(networkError(error, options.timeoutMs)));
      },
    );
    request.on('error', (error) => reject(networkError(error, options.timeoutMs)));
    request.end(body);
  });
}

function networkError(error: Error, timeoutMs: number): DeliveryError {
  if (error instanceof UnsafeUrlError) return new DeliveryError(`Refused: URL ${error.message}`, true);
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return new DeliveryError(`No answer within ${timeoutMs / 1000} s`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  return new DeliveryError(code ? `${code}: ${error.message}` : error.message);
}
