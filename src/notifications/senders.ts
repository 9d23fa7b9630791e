import { createEmailSender, type EmailSender } from './email.js';
import type { NoticeSender } from './notice.js';
import { createWebhookSender, type WebhookSender } from './webhooks.js';
import { createWhatsAppSender, type WhatsAppTemplate } from './whatsapp.js';

/** The parts of the configuration the notification channels need (Config's smtp and whatsapp fit). */
export interface NotificationChannelsConfig {
  smtp: { url: string; from: string } | undefined;
  whatsapp: { apiUrl: string; token: string; phoneNumberId: string; template?: WhatsAppTemplate } | undefined;
  /** WEBHOOKS_ALLOW_PRIVATE (development only). */
  allowPrivateWebhooks: boolean;
}

export interface NotificationSenders {
  senders: { email?: NoticeSender; whatsapp?: NoticeSender; webhook: WebhookSender };
  /** What planEscalationDeliveries needs to know: which channels this platform can send on at all. */
  channels: { email: boolean; whatsapp: boolean };
  close(): void;
}

/** Picks the senders once, at start-up: a channel without configuration has no sender (deliveries SKIPPED). */
export function createNotificationSenders(config: NotificationChannelsConfig): NotificationSenders {
  const email: EmailSender | undefined = config.smtp
    ? createEmailSender({ smtpUrl: config.smtp.url, from: config.smtp.from })
    : undefined;
  const whatsapp = config.whatsapp ? createWhatsAppSender(config.whatsapp) : undefined;
  return {
    senders: { email, whatsapp, webhook: createWebhookSender({ allowPrivate: config.allowPrivateWebhooks }) },
    channels: { email: email !== undefined, whatsapp: whatsapp !== undefined },
    close: () => email?.close(),
  };
}
