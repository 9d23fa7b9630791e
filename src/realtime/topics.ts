/**
 * The typed topics of the real-time layer. Payloads carry ids only; subscribers load what they may see
 * through the normal resolvers. Every event goes to a topic per object and one per organization, so a
 * subscription listens to exactly the events it asked for.
 */
interface BaseEvent {
  /** Unique per event: the key under which subscribers of one event share the database lookup. */
  eventId: string;
  organizationId: string;
  appServiceId: string;
  conversationId: string;
}

export interface MessageAddedEvent extends BaseEvent {
  messageId: string;
  private: boolean;
}

export type ConversationChange = 'created' | 'message' | 'status' | 'assignee' | 'priority' | 'labels';

export interface ConversationUpdatedEvent extends BaseEvent {
  changes: ConversationChange[];
}

export interface EscalationRaisedEvent extends BaseEvent {
  escalationId: string;
}

export interface SlaAlertEvent extends BaseEvent {
  alertId: string;
}

export interface OutboundMessageEvent extends BaseEvent {
  messageId: string;
}

/** New hourly sentiment analyses of an app service (published per app service, not per conversation). */
export interface SentimentUpdatedEvent {
  eventId: string;
  organizationId: string;
  appServiceId: string;
  analysisIds: string[];
  windowStart: string;
  windowEnd: string;
}

export interface TopicEvents {
  messageAdded: MessageAddedEvent;
  conversationUpdated: ConversationUpdatedEvent;
  escalationRaised: EscalationRaisedEvent;
  outboundMessage: OutboundMessageEvent;
  sentimentUpdated: SentimentUpdatedEvent;
  slaAlert: SlaAlertEvent;
}

export type TopicName = keyof TopicEvents;
export type Scope = 'organization' | 'appService' | 'conversation';

export function topic(name: TopicName, scope: Scope, id: string): string {
  return `${name}:${scope}:${id}`;
}

/** The topics one event is published on. */
export function topicsOf(
  name: TopicName,
  event: Pick<BaseEvent, 'organizationId' | 'appServiceId'> & { conversationId?: string },
): string[] {
  if (event.conversationId === undefined) return [topic(name, 'appService', event.appServiceId)];
  const scopes: [Scope, string][] =
    name === 'outboundMessage'
      ? [['appService', event.appServiceId]]
      : [
          ['organization', event.organizationId],
          ['appService', event.appServiceId],
          ['conversation', event.conversationId],
        ];
  return scopes.map(([scope, id]) => topic(name, scope, id));
}
