import type { EscalationType } from '../generated/prisma/enums.js';

/** What a notice is about: an escalation (the default), a conversation handed to humans, an SLA alert. */
export type NoticeKind = 'escalation' | 'handoff' | 'sla';

/**
 * What every channel says (customer number, event, time, and a link): about an escalation, or, with `kind`
 * and `headline`, about a handoff or an SLA alert.
 */
export interface EscalationNotice {
  /** Absent: an escalation. */
  kind?: NoticeKind;
  /** For a handoff or an SLA alert: what happened, as the end of "Customer +971… …". */
  headline?: string;
  /** The global id of what it is about: the escalation, the conversation (handoff) or the SLA alert. */
  escalationId: string;
  organizationId: string;
  organizationName: string;
  appServiceId: string;
  appServiceName: string;
  conversationId: string;
  /** The customer's phone number, or their id on the channel. */
  customerNumber: string;
  /** The escalation type; null for a handoff or an SLA alert. */
  type: EscalationType | null;
  /** The escalation's code, e.g. user_request_to_speak_to_human (services/escalation-codes.ts). */
  event: string;
  evidence: string;
  createdAt: Date;
  /** The conversation on the dashboard ("next action: redirect to dashboard"). */
  link: string;
}

/** The dashboard payload, { customer_number, event, created_at } plus ids to open the conversation. */
export function dashboardPayload(notice: EscalationNotice) {
  return {
    customer_number: notice.customerNumber,
    event: notice.event,
    created_at: notice.createdAt.toISOString(),
    escalation_id: notice.escalationId,
    conversation_id: notice.conversationId,
    app_service_id: notice.appServiceId,
  };
}

/** A channel that delivers a notice to one target; throws on failure (the caller records and retries). */
export interface NoticeSender {
  send(target: string, notice: EscalationNotice): Promise<void>;
}
