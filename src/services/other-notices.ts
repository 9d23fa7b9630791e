// The notices of handoffs and SLA alerts, sent through the same channels as escalations (planning and
// delivery in notification-planning.ts and notification-delivery.ts). Each is keyed by its eventKey:
// "conversation.handed_over:<conversationId>:<at>" and "sla.alert:<alertId>".
import type { HandoffTriggerType } from '../generated/prisma/enums.js';
import type { SlaAlert } from '../generated/prisma/client.js';
import { encodeGlobalId } from '../kernel/global-id.js';
import type { EscalationNotice } from '../notifications/notice.js';
import { conversationNoticeFields, noticeSelect } from './escalation-notice.js';
import type { Tx } from './transactions.js';

export const HANDOFF_EVENT = 'conversation.handed_over';
export const SLA_EVENT = 'sla.alert';

export const handoffEventKey = (conversationId: string, at: Date) =>
  `${HANDOFF_EVENT}:${conversationId}:${at.toISOString()}`;
export const slaEventKey = (alertId: string) => `${SLA_EVENT}:${alertId}`;

const conversationSelect = {
  ...noticeSelect.conversation.select,
  organizationId: true,
  handoffReason: true,
  organization: { select: { name: true } },
} as const;

const TARGET_WORDS = {
  FIRST_RESPONSE: 'first response',
  NEXT_RESPONSE: 'next response',
  RESOLUTION: 'resolution',
} as const;

/** The notice of a delivery that is not an escalation's; null when what it was about is gone. */
export async function loadOtherNotice(
  db: Tx,
  eventKey: string,
  dashboardUrl: string,
): Promise<EscalationNotice | null> {
  if (eventKey.startsWith(`${HANDOFF_EVENT}:`)) {
    const [conversationId, at] = eventKey.slice(HANDOFF_EVENT.length + 1).split(/:(.+)/);
    const conversation = await db.conversation.findUnique({
      where: { id: conversationId },
      select: conversationSelect,
    });
    if (!conversation) return null;
    const reason = conversation.handoffReason as {
      ruleName?: string;
      trigger?: HandoffTriggerType;
      evidence?: string;
    } | null;
    return {
      ...conversationNoticeFields(
        conversation,
        { id: conversation.organizationId, ...conversation.organization },
        dashboardUrl,
      ),
      kind: 'handoff',
      escalationId: encodeGlobalId('Conversation', conversation.id),
      headline: `was handed to your team (${reason?.ruleName ?? 'requested'}, ${reason?.trigger ?? 'MANUAL'})`,
      type: null,
      event: 'conversation_handed_over',
      evidence: reason?.evidence ?? '',
      createdAt: new Date(at ?? Date.now()),
    };
  }
  if (eventKey.startsWith(`${SLA_EVENT}:`)) {
    const alert = await db.slaAlert.findUnique({
      where: { id: eventKey.slice(SLA_EVENT.length + 1) },
      include: { conversation: { select: conversationSelect } },
    });
    if (!alert) return null;
    return {
      ...conversationNoticeFields(
        alert.conversation,
        { id: alert.conversation.organizationId, ...alert.conversation.organization },
        dashboardUrl,
      ),
      kind: 'sla',
      escalationId: encodeGlobalId('SlaAlert', alert.id),
      headline: slaHeadline(alert),
      type: null,
      event: `sla_${alert.kind.toLowerCase()}_${alert.target.toLowerCase()}`,
      evidence: '',
      createdAt: alert.createdAt,
    };
  }
  return null;
}

function slaHeadline(alert: Pick<SlaAlert, 'kind' | 'target' | 'dueAt'>): string {
  const target = TARGET_WORDS[alert.target];
  return alert.kind === 'BREACH'
    ? `is waiting: the ${target} target was missed (due ${alert.dueAt.toISOString()})`
    : `is waiting: the ${target} is due at ${alert.dueAt.toISOString()}`;
}
