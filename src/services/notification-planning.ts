// Planning an escalation's notifications, in the classifier's transaction: the dashboard notification and one
// NotificationDelivery row per channel and target (or one SKIPPED row that says why nobody is notified).
import type { Prisma } from '../generated/prisma/client.js';
import { dashboardPayload } from '../notifications/notice.js';
import type { Tx } from './transactions.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { outboxJob } from '../jobs/catalogue.js';
import { noticeOf, noticeSelect } from './escalation-notice.js';
import { ESCALATION_RAISED, escalationEventKey, NO_TARGET, skipReasons } from './notification-policy.js';

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
 * (none when the escalation was planned before): enqueue one job per id in the same transaction (outbox).
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

  return planDeliveries(tx, {
    base: { organizationId, escalationId: escalation.id, eventKey: escalationEventKey(escalation.id) },
    appService,
    channels: input.channels,
    webhookEvent: ESCALATION_RAISED,
    now,
  });
}

/** Where a notice goes: the app service's addresses and the organization's endpoints of its event. */
interface DeliveryPlan {
  /** Stamped on every row: its organization, what it is about (eventKey, and the escalation if any). */
  base: { organizationId: string; eventKey: string; escalationId?: string };
  appService: {
    notificationEmails: string[];
    notificationWhatsappNumbers: string[];
    notificationWebhookUrls: string[];
  };
  channels: { email: boolean; whatsapp: boolean };
  /** The webhook event endpoints subscribe to for this kind of notice. */
  webhookEvent: string;
  now: Date;
}

/**
 * One NotificationDelivery per channel and target of a notice (see planEscalationDeliveries), unique on
 * (eventKey, channel, target) so planning twice adds nothing; returns the ids of the PENDING ones this call
 * created, for one outbox job each in the same transaction.
 */
export async function planDeliveries(tx: Tx, plan: DeliveryPlan): Promise<string[]> {
  const { base, appService, now } = plan;
  const { organizationId } = base;
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
    plan.channels.email,
    skipReasons.smtpNotConfigured,
    skipReasons.noEmails,
  );
  direct(
    'WHATSAPP',
    appService.notificationWhatsappNumbers,
    plan.channels.whatsapp,
    skipReasons.whatsappNotConfigured,
    skipReasons.noWhatsappNumbers,
  );

  const endpoints = await tx.webhookEndpoint.findMany({
    where: { organizationId, enabled: true, disabledAt: null, events: { has: plan.webhookEvent } },
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
    where: { eventKey: base.eventKey },
    select: { id: true },
  });
  await tx.notificationDelivery.createMany({ data: rows, skipDuplicates: true });
  const pending = await tx.notificationDelivery.findMany({
    where: {
      eventKey: base.eventKey,
      status: 'PENDING',
      id: { notIn: planned.map((delivery) => delivery.id) },
    },
    orderBy: [{ channel: 'asc' }, { target: 'asc' }],
    select: { id: true },
  });
  return pending.map((delivery) => delivery.id);
}

/**
 * The notice of a handoff or an SLA alert through the app service's channels (email, WhatsApp, webhooks,
 * the organization's endpoints subscribed to its event), as an escalation's: deliveries planned in the
 * caller's transaction, one outbox job each.
 */
export async function notifyThroughChannels(
  tx: Tx,
  conversation: { organizationId: string; appServiceId: string },
  event: { eventKey: string; webhookEvent: string },
  channels: { email: boolean; whatsapp: boolean },
  now: Date,
): Promise<void> {
  const appService = await tx.appService.findUniqueOrThrow({
    where: { id: conversation.appServiceId },
    select: { notificationEmails: true, notificationWhatsappNumbers: true, notificationWebhookUrls: true },
  });
  const deliveryIds = await planDeliveries(tx, {
    base: { organizationId: conversation.organizationId, eventKey: event.eventKey },
    appService,
    channels,
    webhookEvent: event.webhookEvent,
    now,
  });
  for (const deliveryId of deliveryIds) {
    await enqueueInTransaction(
      tx,
      outboxJob('deliver', { deliveryId, organizationId: conversation.organizationId }),
    );
  }
}
