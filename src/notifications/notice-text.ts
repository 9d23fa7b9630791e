import type { EscalationType } from '../generated/prisma/enums.js';
import type { EscalationNotice } from './notice.js';

/** What the customer wants, as the end of "Customer +971… …". */
const wants: Record<EscalationType, string> = {
  SPEAK_TO_HUMAN: 'wants a human',
  DISCOUNT_REQUEST: 'asks for a discount',
  BOOK_FLIGHT: 'wants to book a flight',
  FLIGHT_PRICES: 'asks about flight prices',
  FILE_SENT: 'sent a file',
  UNANSWERED: 'asked something the bot could not answer',
};

/** The time as it appears in every notification: ISO 8601 in UTC, the dashboard payload's created_at. */
export const noticeTime = (notice: EscalationNotice) => notice.createdAt.toISOString();

/** The end of "Customer +971… …": what the customer wants, or the notice's own headline. */
const headlineOf = (notice: EscalationNotice) => notice.headline ?? (notice.type ? wants[notice.type] : '');

const SUBJECT_PREFIX = { escalation: 'Escalation', handoff: 'Handoff', sla: 'SLA' } as const;

/** e.g. "Escalation: customer +971500000123 wants a human", "SLA: customer … is waiting …". */
export function noticeSubject(notice: EscalationNotice): string {
  return `${SUBJECT_PREFIX[notice.kind ?? 'escalation']}: customer ${notice.customerNumber} ${headlineOf(notice)}`;
}

const quoted = (evidence: string) => (evidence.length > 300 ? `${evidence.slice(0, 299)}…` : evidence);

/** The plain-text body shared by email and WhatsApp: number, event, time, evidence, link. */
export function noticeText(notice: EscalationNotice): string {
  return [
    `Customer ${notice.customerNumber} ${headlineOf(notice)}.`,
    '',
    `Event: ${notice.event}`,
    `Time: ${noticeTime(notice)}`,
    `App service: ${notice.appServiceName} (${notice.organizationName})`,
    ...(notice.evidence ? [`Customer's words: "${quoted(notice.evidence)}"`] : []),
    '',
    `Open the conversation: ${notice.link}`,
  ].join('\n');
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** The HTML body; every value is escaped (the evidence is the customer's own text). */
export function noticeHtml(notice: EscalationNotice): string {
  const e = escapeHtml;
  const rows: [string, string][] = [
    ['Customer', notice.customerNumber],
    ['Event', notice.event],
    ['Time', noticeTime(notice)],
    ['App service', `${notice.appServiceName} (${notice.organizationName})`],
    ...(notice.evidence ? [["Customer's words", `“${quoted(notice.evidence)}”`] as [string, string]] : []),
  ];
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p><strong>Customer ${e(notice.customerNumber)} ${e(headlineOf(notice))}.</strong></p>`,
    '<table cellpadding="4">',
    ...rows.map(([label, value]) => `<tr><th align="left">${e(label)}</th><td>${e(value)}</td></tr>`),
    '</table>',
    `<p><a href="${e(notice.link)}">Open the conversation on the dashboard</a></p>`,
    `<p style="color:#666;font-size:small">${e(notice.link)}</p>`,
    '</body></html>',
  ].join('\n');
}
