import { randomBytes } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import { assertPublicUrl, UnsafeUrlError } from '../notifications/ssrf.js';
import type { ServiceDeps } from './deps.js';
import { badInput, forbidden } from '../kernel/errors.js';
import { webhookUrlSchema } from './validation.js';

/**
 * The events an endpoint may subscribe to. Only escalation.raised is delivered today; message.created and
 * conversation.updated are accepted so that endpoints can be set up once, and are delivered by later work.
 */
export const webhookEventTypes = [
  'escalation.raised',
  'conversation.handed_over',
  'sla.alert',
  'message.created',
  'conversation.updated',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const MAX_WEBHOOK_ENDPOINTS = 20;

/** A Standard Webhooks secret: "whsec_" and the base64 of 24 random bytes. */
export const generateWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export interface CreateWebhookEndpointInput {
  organizationId: string;
  url: string;
  events: WebhookEventType[];
}

/** Adds an endpoint (ADMIN or OWNER); the signing secret is returned here once. */
export async function createWebhookEndpoint(
  deps: ServiceDeps,
  actor: Actor,
  input: CreateWebhookEndpointInput,
) {
  actor.assertCan(input.organizationId, 'appServices:manage');
  actor.requireUser();
  const url = await checkedWebhookUrl(deps, input.url);
  const events = checkedEvents(input.events);
  const count = await deps.prisma.webhookEndpoint.count({ where: { organizationId: input.organizationId } });
  if (count >= MAX_WEBHOOK_ENDPOINTS) {
    throw badInput(`An organization may have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints.`);
  }
  const secret = generateWebhookSecret();
  const webhookEndpoint = await deps.prisma.webhookEndpoint.create({
    data: { organizationId: input.organizationId, url, events, secret },
  });
  return { webhookEndpoint, secret };
}

export interface UpdateWebhookEndpointInput {
  id: string;
  url?: string | null;
  events?: WebhookEventType[] | null;
  /** true also clears an automatic disabling (failureCount, disabledAt). */
  enabled?: boolean | null;
}

export async function updateWebhookEndpoint(
  deps: ServiceDeps,
  actor: Actor,
  input: UpdateWebhookEndpointInput,
) {
  const endpoint = await findManagedEndpoint(deps, actor, input.id);
  const data: Prisma.WebhookEndpointUpdateInput = {};
  if (input.url !== undefined && input.url !== null) data.url = await checkedWebhookUrl(deps, input.url);
  if (input.events !== undefined && input.events !== null) data.events = checkedEvents(input.events);
  if (input.enabled === true) Object.assign(data, { enabled: true, failureCount: 0, disabledAt: null });
  if (input.enabled === false) data.enabled = false;
  return deps.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data });
}

/** Deletes the endpoint; its pending deliveries go with it. */
export async function deleteWebhookEndpoint(deps: ServiceDeps, actor: Actor, input: { id: string }) {
  const endpoint = await findManagedEndpoint(deps, actor, input.id);
  await deps.prisma.webhookEndpoint.delete({ where: { id: endpoint.id } });
  return endpoint;
}

/** A new secret, returned once; the old one stops signing at once (retries are signed with the new one). */
export async function rotateWebhookSecret(deps: ServiceDeps, actor: Actor, input: { id: string }) {
  const endpoint = await findManagedEndpoint(deps, actor, input.id);
  const secret = generateWebhookSecret();
  const webhookEndpoint = await deps.prisma.webhookEndpoint.update({
    where: { id: endpoint.id },
    data: { secret },
  });
  return { webhookEndpoint, secret };
}

/** FORBIDDEN for unknown ids as for other tenants' ones; API keys never manage endpoints. */
async function findManagedEndpoint(deps: ServiceDeps, actor: Actor, id: string) {
  actor.requireUser();
  const endpoint = await deps.prisma.webhookEndpoint.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith('appServices:manage') } },
  });
  if (!endpoint) throw forbidden();
  return endpoint;
}

/** http(s) only and, unless WEBHOOKS_ALLOW_PRIVATE, a host that resolves to public addresses only. */
export async function checkedWebhookUrl(deps: ServiceDeps, url: string): Promise<string> {
  const parsed = webhookUrlSchema.safeParse(url.trim());
  const refuse = (message: string): never => {
    throw badInput(`Invalid input: url ${message}`, { issues: [{ path: 'url', message }] });
  };
  if (!parsed.success) return refuse(parsed.error.issues[0]?.message ?? 'is not a valid URL');
  try {
    await assertPublicUrl(parsed.data, { allowPrivate: deps.settings.allowPrivateWebhooks === true });
  } catch (error) {
    if (error instanceof UnsafeUrlError) return refuse(error.message);
    throw error;
  }
  return parsed.data;
}

function checkedEvents(events: readonly string[]): WebhookEventType[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw badInput('Subscribe the endpoint to at least one event.');
  const unknown = unique.filter((event) => !(webhookEventTypes as readonly string[]).includes(event));
  if (unknown.length > 0) throw badInput(`Unknown webhook events: ${unknown.join(', ')}.`);
  return unique as WebhookEventType[];
}
