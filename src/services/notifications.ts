// Escalation notifications: the dashboard notification and one NotificationDelivery row per channel and
// target, planned in the classifier's transaction and delivered by idempotent jobs, each attempt recorded.
import type { Actor } from '../auth/actor.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { NotificationChannel } from '../generated/prisma/enums.js';
import { DeliveryError, describeDeliveryError } from '../notifications/delivery-error.js';
import { dashboardPayload, type EscalationNotice, type NoticeSender } from '../notifications/notice.js';
import {
  createWebhookSender,
  escalationWebhookMessage,
  type WebhookSender,
} from '../notifications/webhooks.js';
import { encodeGlobalId } from '../kernel/global-id.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { escalationCodes } from './escalation-codes.js';
import { badInput } from '../kernel/errors.js';
import type { Tx } from './transactions.js';

export const ESCALATION_RAISED = 'escalation.raised';
export const escalationEventKey = (escalationId: string) => `${ESCALATION_RAISED}:${escalationId}`;

/** The target of the one SKIPPED row that says a channel has nobody to notify. */
export const NO_TARGET = '-';

export const skipReasons = {
  smtpNotConfigured: 'SMTP_URL is not configured',
  whatsappNotConfigured:
    'WhatsApp is not configured (WHATSAPP_API_URL, WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)',
  noEmails: 'no email addresses configured on this app service',
  noWhatsappNumbers: 'no WhatsApp numbers configured on this app service',
  noWebhooks: 'no webhook endpoint subscribed to escalation.raised and no webhook URL on this app service',
  endpointDisabled: 'the webhook endpoint is disabled',
  nothingToDeliver: 'the delivery is not about an escalation',
  outcomeUnknown:
    'the sender stopped while delivering (the process died); it may have arrived, and is not sent again ' +
    'so that nobody gets it twice',
} as const;

/**
 * Waits between attempts, in ms: the n-th failure waits schedule[n-1]; after the last one the delivery is
 * FAILED. Email and WhatsApp: 5 attempts within about 1 h 15 min; webhooks: 7 attempts over about 10 h 40 min.
 */
export const retrySchedules: Record<Exclude<NotificationChannel, 'DASHBOARD'>, readonly number[]> = {
  EMAIL: [30_000, 120_000, 600_000, 3_600_000],
  WHATSAPP: [30_000, 120_000, 600_000, 3_600_000],
  WEBHOOK: [30_000, 120_000, 600_000, 3_600_000, 10_800_000, 21_600_000],
};

/** An endpoint whose deliveries failed this many times in a row (each after all its retries) is disabled. */
export const DISABLE_WEBHOOK_AFTER_FAILURES = 5;

/** How long a run holds a delivery while sending: longer than any sender's timeouts (email at most 40 s). */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * The channels sent again when an attempt's outcome is unknown: the dashboard (the same row again) and
 * webhooks (at least once; receivers deduplicate on webhook-id). Email and WhatsApp are never sent twice.
 */
const RESENDABLE_AFTER_UNKNOWN_OUTCOME = new Set<NotificationChannel>(['DASHBOARD', 'WEBHOOK']);

/** A job that fires a little early (timer or clock skew) still finds its delivery due. */
const DUE_TOLERANCE_MS = 5_000;

/** The job id of a delivery's first attempt. */
export const deliveryJobId = (deliveryId: string) => `deliver:${deliveryId}`;
/** The job id of a later attempt: one per (delivery, time), so scheduling it twice adds one job. */
export const retryJobId = (deliveryId: string, runAt: Date) => `deliver:${deliveryId}:${runAt.getTime()}`;

// --- The notice of an escalation ------------------------------------------------------------------------

const noticeSelect = {
  id: true,
  organizationId: true,
  type: true,
  evidence: true,
  createdAt: true,
  notified: true,
  organization: { select: { name: true } },
  conversation: {
    select: {
      id: true,
      appService: {
        select: {
          id: true,
          name: true,
          channel: true,
          notificationEmails: true,
          notificationWhatsappNumbers: true,
          notificationWebhookUrls: true,
        },
      },
      contact: {
        select: {
          phone: true,
          identifiers: { select: { channel: true, externalId: true }, orderBy: { createdAt: 'asc' } },
        },
      },
    },
  },
} satisfies Prisma.EscalationSelect;

type NoticeRow = Prisma.EscalationGetPayload<{ select: typeof noticeSelect }>;

/**
 * What every channel says. Ids are the API's global ids (what a dashboard passes to `node(id:)`), and the
 * link opens the conversation: `${dashboardUrl}/conversations/<Conversation global id>`.
 */
function noticeOf(row: NoticeRow, dashboardUrl: string): EscalationNotice {
  const { conversation } = row;
  const identifiers = conversation.contact?.identifiers ?? [];
  const customerNumber =
    conversation.contact?.phone ??
    identifiers.find((identifier) => identifier.channel === conversation.appService.channel)?.externalId ??
    identifiers[0]?.externalId ??
    'unknown';
  const conversationId = encodeGlobalId('Conversation', conversation.id);
  return {
    escalationId: encodeGlobalId('Escalation', row.id),
    organizationId: encodeGlobalId('Organization', row.organizationId),
    organizationName: row.organization.name,
    appServiceId: encodeGlobalId('AppService', conversation.appService.id),
    appServiceName: conversation.appService.name,
    conversationId,
    customerNumber,
    type: row.type,
    event: escalationCodes[row.type],
    evidence: row.evidence,
    createdAt: row.createdAt,
    link: `${dashboardUrl.replace(/\/+$/, '')}/conversations/${conversationId}`,
  };
}

/** The notice of an escalation, for senders and tests; null when it does not exist. */
export async function loadEscalationNotice(
  db: Tx,
  escalationId: string,
  dashboardUrl: string,
): Promise<EscalationNotice | null> {
  const row = await db.escalation.findUnique({ where: { id: escalationId }, select: noticeSelect });
  return row ? noticeOf(row, dashboardUrl) : null;
}

// --- Planning --------------------------------------------------------------------------------------------

export interface PlanEscalationInput {
  escalationId: string;
  /** Whether this platform can send email (SMTP_URL) and WhatsApp (WHATSAPP_*) at all. */
  channels: { email: boolean; whatsapp: boolean };
  now?: Date;
}

/**
 * Inside the classifier's transaction: the dashboard Notification (payload = dashboardPayload) and one
 * NotificationDelivery per target:
 * - DASHBOARD: one row, SENT (the stored notification is the delivery; the caller publishes escalationRaised);
 * - EMAIL / WHATSAPP: one per address of the app service; SKIPPED with the reason when the platform has no
 *   SMTP / WhatsApp configuration;
 * - WEBHOOK: one per enabled organization endpoint subscribed to escalation.raised (signed with its secret),
 *   then one per app-service webhook URL not already covered by an endpoint (sent unsigned);
 * - a channel with no target at all gets one SKIPPED row with target "-" and the reason, so nothing is
 *   dropped silently.
 * Rows are unique on (eventKey, channel, target), so planning twice adds nothing. A cool-down-suppressed
 * escalation (notified = false) gets nothing. Returns the ids of the PENDING deliveries this call created
 * (none when the escalation was planned before): enqueue one job per id in the same transaction (outbox),
 * or after commit with job id deliveryJobId(id).
 */
export async function planEscalationDeliveries(tx: Tx, input: PlanEscalationInput): Promise<string[]> {
  const escalation = await tx.escalation.findUnique({
    where: { id: input.escalationId },
    select: noticeSelect,
  });
  if (!escalation) throw new Error(`Escalation ${input.escalationId} does not exist.`);
  if (!escalation.notified) return [];
  const now = input.now ?? new Date();
  const { organizationId } = escalation;
  const appService = escalation.conversation.appService;

  await tx.notification.createMany({
    data: [
      {
        organizationId,
        escalationId: escalation.id,
        payload: dashboardPayload(noticeOf(escalation, '')),
        createdAt: now,
      },
    ],
    skipDuplicates: true,
  });

  const base = { organizationId, escalationId: escalation.id, eventKey: escalationEventKey(escalation.id) };
  const rows: Prisma.NotificationDeliveryCreateManyInput[] = [
    { ...base, channel: 'DASHBOARD', target: 'dashboard', status: 'SENT', attempts: 1, sentAt: now },
  ];
  const direct = (
    channel: 'EMAIL' | 'WHATSAPP',
    targets: string[],
    configured: boolean,
    notConfigured: string,
    noTargets: string,
  ) => {
    const unique = [...new Set(targets.map((target) => target.trim()).filter(Boolean))];
    if (unique.length === 0) {
      rows.push({ ...base, channel, target: NO_TARGET, status: 'SKIPPED', lastError: noTargets });
      return;
    }
    for (const target of unique) {
      rows.push(
        configured
          ? { ...base, channel, target }
          : { ...base, channel, target, status: 'SKIPPED', lastError: notConfigured },
      );
    }
  };
  direct(
    'EMAIL',
    appService.notificationEmails.map((email) => email.toLowerCase()),
    input.channels.email,
    skipReasons.smtpNotConfigured,
    skipReasons.noEmails,
  );
  direct(
    'WHATSAPP',
    appService.notificationWhatsappNumbers,
    input.channels.whatsapp,
    skipReasons.whatsappNotConfigured,
    skipReasons.noWhatsappNumbers,
  );

  const endpoints = await tx.webhookEndpoint.findMany({
    where: { organizationId, enabled: true, disabledAt: null, events: { has: ESCALATION_RAISED } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, url: true },
  });
  const webhookTargets = new Set<string>();
  for (const endpoint of endpoints) {
    if (webhookTargets.has(endpoint.url)) continue;
    webhookTargets.add(endpoint.url);
    rows.push({ ...base, channel: 'WEBHOOK', target: endpoint.url, webhookEndpointId: endpoint.id });
  }
  for (const url of appService.notificationWebhookUrls) {
    if (webhookTargets.has(url)) continue;
    webhookTargets.add(url);
    rows.push({ ...base, channel: 'WEBHOOK', target: url });
  }
  if (webhookTargets.size === 0) {
    rows.push({
      ...base,
      channel: 'WEBHOOK',
      target: NO_TARGET,
      status: 'SKIPPED',
      lastError: skipReasons.noWebhooks,
    });
  }

  // Only what this call adds is returned, so a second planning enqueues no second job.
  const planned = await tx.notificationDelivery.findMany({
    where: { escalationId: escalation.id },
    select: { id: true },
  });
  await tx.notificationDelivery.createMany({ data: rows, skipDuplicates: true });
  const pending = await tx.notificationDelivery.findMany({
    where: {
      escalationId: escalation.id,
      status: 'PENDING',
      id: { notIn: planned.map((delivery) => delivery.id) },
    },
    orderBy: [{ channel: 'asc' }, { target: 'asc' }],
    select: { id: true },
  });
  return pending.map((delivery) => delivery.id);
}

// --- Delivering ------------------------------------------------------------------------------------------

export interface ScheduledRetry {
  deliveryId: string;
  /** When the next attempt is due (the row's nextAttemptAt). */
  runAt: Date;
  /** retryJobId(deliveryId, runAt): the same retry scheduled twice is one job. */
  jobId: string;
}

export interface DeliveryDeps {
  prisma: PrismaClient;
  /** A sender per configured channel; a channel without one is SKIPPED. */
  senders: { email?: NoticeSender; whatsapp?: NoticeSender; webhook?: WebhookSender };
  /** DASHBOARD_URL: links point at `${dashboardUrl}/conversations/<id>`. */
  dashboardUrl: string;
  /** WEBHOOKS_ALLOW_PRIVATE, for the default webhook sender. */
  allowPrivateWebhooks?: boolean;
  now?: () => Date;
  /**
   * Enqueues the job of a later attempt, delayed until runAt, with the given job id. Called inside the
   * transaction that records the failed attempt (so a transactional outbox commits both together), and
   * again, harmlessly, when a run finds its delivery not yet due.
   */
  scheduleRetry?: (tx: Tx, retry: ScheduledRetry) => Promise<void>;
}

/**
 * - sent: delivered now;
 * - already-sent: an earlier run delivered it (a job run twice sends once);
 * - skipped: nothing to send (channel not configured, endpoint disabled, delivery or escalation gone);
 * - retry-later: this attempt failed, or the delivery is not due yet / being sent by another run; the
 *   next attempt is at the row's nextAttemptAt and was handed to scheduleRetry;
 * - failed: permanently, after the last attempt of the schedule or a failure that retrying cannot fix.
 */
export type DeliveryOutcome = 'sent' | 'already-sent' | 'skipped' | 'retry-later' | 'failed';

/**
 * The notification job's body. Claims the delivery (a compare-and-set on attempts, with a lease in
 * nextAttemptAt) so that concurrent runs do not both send, sends, and records the attempt: SENT with
 * sentAt, or lastError with the next attempt on the channel's schedule, or FAILED. Errors of the
 * database (not of the channel) are thrown, for the job queue to retry.
 */
export async function deliverNotification(
  deps: DeliveryDeps,
  input: { deliveryId: string },
): Promise<DeliveryOutcome> {
  const now = deps.now?.() ?? new Date();
  for (let round = 0; round < 3; round += 1) {
    const delivery = await deps.prisma.notificationDelivery.findUnique({
      where: { id: input.deliveryId },
      include: { webhookEndpoint: true },
    });
    // Deleted with its escalation or webhook endpoint.
    if (!delivery) return 'skipped';
    if (delivery.status === 'SENT') return 'already-sent';
    if (delivery.status === 'SKIPPED') return 'skipped';
    if (delivery.status === 'FAILED') return 'failed';
    if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > now.getTime() + DUE_TOLERANCE_MS) {
      // Scheduled for later, or another run is sending it: make sure a job runs then (same id, one job).
      await deps.scheduleRetry?.(deps.prisma, retryOf(delivery.id, delivery.nextAttemptAt));
      return 'retry-later';
    }
    if (delivery.inFlightSince && !RESENDABLE_AFTER_UNKNOWN_OUTCOME.has(delivery.channel)) {
      // An attempt started and never reported (its process died mid-send): the message may have arrived.
      const closed = await deps.prisma.notificationDelivery.updateMany({
        where: { id: delivery.id, status: 'PENDING', attempts: delivery.attempts },
        data: {
          status: 'FAILED',
          lastError: skipReasons.outcomeUnknown,
          nextAttemptAt: null,
          inFlightSince: null,
        },
      });
      if (closed.count === 1) return 'failed';
      continue;
    }
    // Read before the claim, so that as little as possible stands between claiming and sending: an
    // attempt that dies in between counts as "outcome unknown" (see RESENDABLE_AFTER_UNKNOWN_OUTCOME).
    const notice = delivery.escalationId
      ? await loadEscalationNotice(deps.prisma, delivery.escalationId, deps.dashboardUrl)
      : null;
    const claimed = await deps.prisma.notificationDelivery.updateMany({
      where: { id: delivery.id, status: 'PENDING', attempts: delivery.attempts },
      data: {
        attempts: { increment: 1 },
        nextAttemptAt: new Date(now.getTime() + DELIVERY_LEASE_MS),
        inFlightSince: now,
      },
    });
    if (claimed.count === 1) return attempt(deps, delivery, notice, now);
    // Another run claimed it between our read and write: look again.
  }
  return 'retry-later';
}

type ClaimedDelivery = Prisma.NotificationDeliveryGetPayload<{ include: { webhookEndpoint: true } }>;

async function attempt(
  deps: DeliveryDeps,
  delivery: ClaimedDelivery,
  notice: EscalationNotice | null,
  now: Date,
): Promise<DeliveryOutcome> {
  const skip = async (reason: string) => {
    await deps.prisma.notificationDelivery.update({
      where: { id: delivery.id },
      data: {
        status: 'SKIPPED',
        lastError: reason,
        nextAttemptAt: null,
        attempts: delivery.attempts,
        inFlightSince: null,
      },
    });
    return 'skipped' as const;
  };
  if (!notice) return skip(skipReasons.nothingToDeliver);

  let send: () => Promise<void>;
  switch (delivery.channel) {
    case 'DASHBOARD':
      send = async () => undefined;
      break;
    case 'EMAIL': {
      const sender = deps.senders.email;
      if (!sender) return skip(skipReasons.smtpNotConfigured);
      send = () => sender.send(delivery.target, notice);
      break;
    }
    case 'WHATSAPP': {
      const sender = deps.senders.whatsapp;
      if (!sender) return skip(skipReasons.whatsappNotConfigured);
      send = () => sender.send(delivery.target, notice);
      break;
    }
    case 'WEBHOOK': {
      const endpoint = delivery.webhookEndpoint;
      if (endpoint && (!endpoint.enabled || endpoint.disabledAt)) return skip(skipReasons.endpointDisabled);
      const sender =
        deps.senders.webhook ?? createWebhookSender({ allowPrivate: deps.allowPrivateWebhooks ?? false });
      send = () =>
        sender(
          { url: delivery.target, secret: endpoint?.secret ?? null },
          escalationWebhookMessage(delivery.id, notice),
        );
      break;
    }
  }

  try {
    await send();
  } catch (error) {
    return recordFailure(deps, delivery, error, now);
  }
  await deps.prisma.$transaction(async (tx) => {
    await tx.notificationDelivery.update({
      where: { id: delivery.id },
      data: { status: 'SENT', sentAt: now, nextAttemptAt: null, lastError: null, inFlightSince: null },
    });
    if (delivery.webhookEndpointId) {
      await tx.webhookEndpoint.updateMany({
        where: { id: delivery.webhookEndpointId, failureCount: { gt: 0 } },
        data: { failureCount: 0 },
      });
    }
  });
  return 'sent';
}

async function recordFailure(
  deps: DeliveryDeps,
  delivery: ClaimedDelivery,
  error: unknown,
  now: Date,
): Promise<DeliveryOutcome> {
  const lastError = describeDeliveryError(error);
  const permanent = error instanceof DeliveryError && error.permanent;
  const schedule = delivery.channel === 'DASHBOARD' ? [] : retrySchedules[delivery.channel];
  // attempts on the row is still the count before this attempt.
  const delay = permanent ? undefined : schedule[delivery.attempts];
  return deps.prisma.$transaction(async (tx) => {
    if (delay !== undefined) {
      const runAt = new Date(now.getTime() + delay);
      await tx.notificationDelivery.update({
        where: { id: delivery.id },
        data: { lastError, nextAttemptAt: runAt, inFlightSince: null },
      });
      await deps.scheduleRetry?.(tx, retryOf(delivery.id, runAt));
      return 'retry-later' as const;
    }
    await tx.notificationDelivery.update({
      where: { id: delivery.id },
      data: { status: 'FAILED', lastError, nextAttemptAt: null, inFlightSince: null },
    });
    if (delivery.webhookEndpointId) await countEndpointFailure(tx, delivery.webhookEndpointId, now);
    return 'failed' as const;
  });
}

/** One more delivery failed for good; enough in a row disable the endpoint until someone re-enables it. */
async function countEndpointFailure(tx: Tx, endpointId: string, now: Date): Promise<void> {
  await tx.webhookEndpoint.updateMany({
    where: { id: endpointId },
    data: { failureCount: { increment: 1 } },
  });
  await tx.webhookEndpoint.updateMany({
    where: { id: endpointId, failureCount: { gte: DISABLE_WEBHOOK_AFTER_FAILURES }, disabledAt: null },
    data: { enabled: false, disabledAt: now },
  });
}

const retryOf = (deliveryId: string, runAt: Date): ScheduledRetry => ({
  deliveryId,
  runAt,
  jobId: retryJobId(deliveryId, runAt),
});

// --- Dashboard notifications -----------------------------------------------------------------------------

/**
 * Marks the organization's dashboard notifications read: those given (unknown, foreign or already read
 * ids are skipped), or every unread one. Read state is the organization's, shared by its members.
 * Returns how many changed.
 */
export async function markNotificationsRead(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; ids?: string[] | null },
): Promise<number> {
  actor.assertCan(input.organizationId, 'conversations:read');
  actor.requireUser();
  if (input.ids && input.ids.length > 500) throw badInput('At most 500 notifications per call.');
  const { count } = await deps.prisma.notification.updateMany({
    where: {
      organizationId: input.organizationId,
      readAt: null,
      ...(input.ids ? { id: { in: input.ids } } : {}),
    },
    data: { readAt: nowOf(deps) },
  });
  return count;
}

/**
 * The reconciler's sweep: a delivery still PENDING a minute past its lease (or due time) with no job in the
 * outbox for it (its job was lost with Redis, or the process died between claiming and finishing it) gets a
 * new job. The job id is new; the delivery's own claim (status, attempts) keeps it from being sent twice.
 * Returns how many were queued.
 */
export async function sweepStuckDeliveries(
  prisma: PrismaClient,
  now = new Date(),
  limit = 500,
): Promise<number> {
  const stuckBefore = new Date(now.getTime() - DELIVERY_LEASE_MS / 2).toISOString();
  return prisma.$executeRaw`
    INSERT INTO outbox_jobs (id, queue, name, payload, available_at)
    SELECT gen_random_uuid(), 'notifications', 'deliver',
      jsonb_build_object('deliveryId', d.id::text, 'organizationId', d.organization_id::text), now()
    FROM notification_deliveries d
    WHERE d.status = 'PENDING'
      AND COALESCE(d.next_attempt_at, d.created_at) < ${stuckBefore}::timestamptz
      AND NOT EXISTS (
        SELECT 1 FROM outbox_jobs o
        WHERE o.queue = 'notifications' AND o.payload->>'deliveryId' = d.id::text)
    LIMIT ${limit}`;
}
