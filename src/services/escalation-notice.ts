// The notice of an escalation as every channel renders it: what happened, to whom, and the dashboard link.
import type { Prisma } from '../generated/prisma/client.js';
import { type EscalationNotice } from '../notifications/notice.js';
import { encodeGlobalId } from '../kernel/global-id.js';
import { escalationCodes } from './escalation-codes.js';
import type { Tx } from './transactions.js';

export const noticeSelect = {
  id: true,
  organizationId: true,
  type: true,
  evidence: true,
  createdAt: true,
  notified: true,
  message: { select: { createdAt: true } },
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
export function noticeOf(row: NoticeRow, dashboardUrl: string): EscalationNotice {
  return {
    ...conversationNoticeFields(
      row.conversation,
      { id: row.organizationId, ...row.organization },
      dashboardUrl,
    ),
    escalationId: encodeGlobalId('Escalation', row.id),
    type: row.type,
    event: escalationCodes[row.type],
    evidence: row.evidence,
    createdAt: row.createdAt,
  };
}

/** What every notice says of its conversation: the customer's number, the app service, the link. */
export function conversationNoticeFields(
  conversation: NoticeRow['conversation'],
  organization: { id: string; name: string },
  dashboardUrl: string,
) {
  const identifiers = conversation.contact?.identifiers ?? [];
  const conversationId = encodeGlobalId('Conversation', conversation.id);
  return {
    organizationId: encodeGlobalId('Organization', organization.id),
    organizationName: organization.name,
    appServiceId: encodeGlobalId('AppService', conversation.appService.id),
    appServiceName: conversation.appService.name,
    conversationId,
    customerNumber:
      conversation.contact?.phone ??
      identifiers.find((identifier) => identifier.channel === conversation.appService.channel)?.externalId ??
      identifiers[0]?.externalId ??
      'unknown',
    link: `${dashboardUrl.replace(/\/+$/, '')}/conversations/${conversationId}`,
  };
}

/**
 * The notice of an escalation, and when the customer message that raised it was stored (for the
 * escalation-latency metric); null when the escalation does not exist.
 */
export async function loadEscalationNotice(
  db: Tx,
  escalationId: string,
  dashboardUrl: string,
): Promise<{ notice: EscalationNotice; messageStoredAt: Date | null } | null> {
  const row = await db.escalation.findUnique({ where: { id: escalationId }, select: noticeSelect });
  return row
    ? { notice: noticeOf(row, dashboardUrl), messageStoredAt: row.message?.createdAt ?? null }
    : null;
}
