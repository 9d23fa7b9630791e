import { createTransport } from 'nodemailer';
import { SpanKind, withSpan } from '../observability/tracing.js';
import { DeliveryError } from './delivery-error.js';
import type { NoticeSender } from './notice.js';
import { noticeHtml, noticeSubject, noticeText } from './notice-text.js';

export interface EmailSenderOptions {
  /** SMTP_URL, e.g. smtps://user:pass@smtp.example.com or smtp://127.0.0.1:2525. */
  smtpUrl: string;
  /** MAIL_FROM, e.g. "Alerts <alerts@example.com>". */
  from: string;
}

export interface EmailSender extends NoticeSender {
  /** Closes the SMTP connections (at shutdown). */
  close(): void;
}

/** Escalation notices by email over SMTP: subject, text and HTML with number, event, time and link. */
export function createEmailSender(options: EmailSenderOptions): EmailSender {
  // Short timeouts: a stuck server must fail the attempt (to be retried), not hold the worker for minutes.
  const transport = createTransport(
    { url: options.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 },
    { from: options.from },
  );
  return {
    async send(target, notice) {
      try {
        await withSpan(
          'smtp send',
          { 'messaging.system': 'smtp' },
          () =>
            transport.sendMail({
              to: target,
              subject: noticeSubject(notice),
              text: noticeText(notice),
              html: noticeHtml(notice),
              headers: { 'X-Escalation-Id': notice.escalationId },
            }),
          { kind: SpanKind.CLIENT },
        );
      } catch (error) {
        throw toDeliveryError(error);
      }
    },
    close: () => transport.close(),
  };
}

/**
 * 5xx SMTP replies (mailbox unknown, relaying denied) and a refused envelope will not get better; a failed
 * login is the operator's to fix, so it is retried.
 */
function toDeliveryError(error: unknown): DeliveryError {
  const {
    message = String(error),
    responseCode,
    code,
  } = (error ?? {}) as {
    message?: string;
    responseCode?: number;
    code?: string;
  };
  const permanent =
    code === 'EENVELOPE' || (code !== 'EAUTH' && responseCode !== undefined && responseCode >= 500);
  return new DeliveryError(`SMTP: ${message}`, permanent);
}
