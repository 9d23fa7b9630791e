// What the escalation notifications promise: the reasons a delivery is skipped, the retry schedule of each
// channel, the lease of a run that sends, which channels may be sent again when an outcome is unknown.
import type { NotificationChannel } from '../generated/prisma/enums.js';

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
export const RESENDABLE_AFTER_UNKNOWN_OUTCOME = new Set<NotificationChannel>(['DASHBOARD', 'WEBHOOK']);

/** A job that fires a little early (timer or clock skew) still finds its delivery due. */
export const DUE_TOLERANCE_MS = 5_000;
