// Delivering a planned notification: an idempotent job claims the delivery, sends it on its channel and
// records the attempt (SENT, a retry on the channel's schedule, or FAILED); a sweep re-queues stuck ones.
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { DeliveryError, describeDeliveryError } from '../notifications/delivery-error.js';
import type { EscalationNotice } from '../notifications/notice.js';
import { createWebhookSender, escalationWebhookMessage } from '../notifications/webhooks.js';
import type { Tx } from './transactions.js';
import { nowOf } from '../kernel/clock.js';
import type { NotificationSetup, ServiceDeps, ServiceSettings } from './deps.js';
import { outboxJob } from '../jobs/catalogue.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import {
  skipReasons,
  retrySchedules,
  DISABLE_WEBHOOK_AFTER_FAILURES,
  DELIVERY_LEASE_MS,
  RESENDABLE_AFTER_UNKNOWN_OUTCOME,
  DUE_TOLERANCE_MS,
} from './notification-policy.js';
import { loadEscalationNotice } from './escalation-notice.js';
import { loadOtherNotice } from './other-notices.js';

/** A handoff's or an SLA alert's notice (no customer message to time it from). */
async function otherNotice(deps: DeliveryDeps, eventKey: string) {
  const notice = await loadOtherNotice(deps.prisma, eventKey, deps.notifications.dashboardUrl);
  return notice ? { notice, messageStoredAt: null } : null;
}

/** What delivering reads: the senders and link base of the configured channels, and the webhook policy. */
export type DeliveryDeps = Pick<ServiceDeps, 'prisma' | 'now' | 'metrics'> & {
  notifications: Pick<NotificationSetup, 'senders' | 'dashboardUrl'>;
  settings?: Pick<ServiceSettings, 'allowPrivateWebhooks'>;
};

/**
 * - sent: delivered now;
 * - already-sent: an earlier run delivered it (a job run twice sends once);
 * - skipped: nothing to send (channel not configured, endpoint disabled, delivery or escalation gone);
 * - retry-later: this attempt failed, or the delivery is not due yet / being sent by another run; the
 *   next attempt is at the row's nextAttemptAt, with its job in the outbox;
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
  const now = nowOf(deps);
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
      await scheduleRetry(deps.prisma, delivery, delivery.nextAttemptAt);
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
    const loaded = delivery.escalationId
      ? await loadEscalationNotice(deps.prisma, delivery.escalationId, deps.notifications.dashboardUrl)
      : await otherNotice(deps, delivery.eventKey);
    const claimed = await deps.prisma.notificationDelivery.updateMany({
      where: { id: delivery.id, status: 'PENDING', attempts: delivery.attempts },
      data: {
        attempts: { increment: 1 },
        nextAttemptAt: new Date(now.getTime() + DELIVERY_LEASE_MS),
        inFlightSince: now,
      },
    });
    if (claimed.count === 1) {
      const outcome = await attempt(deps, delivery, loaded?.notice ?? null, now);
      if (outcome === 'sent' && loaded?.messageStoredAt) {
        deps.metrics?.notification(delivery.channel, loaded.messageStoredAt, nowOf(deps));
      }
      return outcome;
    }
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
      const sender = deps.notifications.senders.email;
      if (!sender) return skip(skipReasons.smtpNotConfigured);
      send = () => sender.send(delivery.target, notice);
      break;
    }
    case 'WHATSAPP': {
      const sender = deps.notifications.senders.whatsapp;
      if (!sender) return skip(skipReasons.whatsappNotConfigured);
      send = () => sender.send(delivery.target, notice);
      break;
    }
    case 'WEBHOOK': {
      const endpoint = delivery.webhookEndpoint;
      if (endpoint && (!endpoint.enabled || endpoint.disabledAt)) return skip(skipReasons.endpointDisabled);
      const sender =
        deps.notifications.senders.webhook ??
        createWebhookSender({ allowPrivate: deps.settings?.allowPrivateWebhooks ?? false });
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
      await scheduleRetry(tx, delivery, runAt);
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

/**
 * Queues the job of a later attempt, due at runAt, in the transaction that records the failed attempt (both
 * commit or neither); also when a run finds its delivery not yet due (its job ran early, or a duplicate).
 * Keyed by delivery and due time, so however many runs ask, one job waits for that time.
 */
async function scheduleRetry(
  tx: Tx,
  delivery: { id: string; organizationId: string },
  runAt: Date,
): Promise<void> {
  await enqueueInTransaction(
    tx,
    outboxJob(
      'deliver',
      { deliveryId: delivery.id, organizationId: delivery.organizationId },
      { availableAt: runAt, key: `deliver:${delivery.id}:${runAt.getTime()}` },
    ),
  );
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
