import { randomUUID } from 'node:crypto';
import type { Logger } from '../kernel/logger.js';
import { FailureLog } from '../kernel/failure-log.js';
import { CREDENTIAL_CHANGES_TOPIC, type CredentialChange } from './credential-changes.js';
import type { TopicBus } from './topic-bus.js';
import { topicsOf, type ConversationChange, type TopicEvents, type TopicName } from './topics.js';

interface ConversationRef {
  id: string;
  organizationId: string;
  appServiceId: string;
}

/** A message the integrator must deliver to the customer: an agent's public reply, a handoff message or a CSAT survey. */
export function isOutbound(message: { senderType: string; private: boolean; origin?: string }): boolean {
  if (message.private) return false;
  return (
    message.senderType === 'AGENT' ||
    (message.senderType === 'SYSTEM' && (message.origin === 'handoff' || message.origin === 'csat'))
  );
}

interface MessageRef {
  id: string;
  organizationId: string;
  appServiceId: string;
  conversationId: string;
  senderType: string;
  private: boolean;
  origin?: string;
}

/**
 * What services call after their transaction committed. A failed publish is logged, never thrown: the
 * write already happened, and subscribers can catch up by querying.
 */
export class RealtimePublisher {
  /** During a Redis outage every publish fails: logged once, then counted every 10 s. */
  private readonly failures: FailureLog;

  constructor(
    private readonly bus: TopicBus,
    logger: Logger,
  ) {
    this.failures = new FailureLog(logger, 10_000, {
      first: 'publish failed (live subscribers miss this event)',
      summary: 'publishes failed in the last window',
    });
  }

  private async publish<N extends TopicName>(name: N, event: Omit<TopicEvents[N], 'eventId'>): Promise<void> {
    const payload = { ...event, eventId: randomUUID() } as TopicEvents[N];
    try {
      await Promise.all(topicsOf(name, payload).map((topic) => this.bus.publish(topic, payload)));
    } catch (error) {
      this.failures.note('publish failed', name, { err: String(error) });
    }
  }

  async messageAdded(message: MessageRef): Promise<void> {
    const base = {
      organizationId: message.organizationId,
      appServiceId: message.appServiceId,
      conversationId: message.conversationId,
      messageId: message.id,
    };
    await this.publish('messageAdded', { ...base, private: message.private });
    // Agent replies (and the platform's own messages, a handoff's) are what connectors deliver to customers.
    if (isOutbound(message)) await this.publish('outboundMessage', base);
  }

  async conversationUpdated(conversation: ConversationRef, changes: ConversationChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.publish('conversationUpdated', {
      organizationId: conversation.organizationId,
      appServiceId: conversation.appServiceId,
      conversationId: conversation.id,
      changes,
    });
  }

  /** An SLA warning or breach, on the organization's, app service's and conversation's topics. */
  async slaAlert(
    alert: { id: string; organizationId: string; conversationId: string },
    appServiceId: string,
  ) {
    await this.publish('slaAlert', {
      organizationId: alert.organizationId,
      appServiceId,
      conversationId: alert.conversationId,
      alertId: alert.id,
    });
  }

  async escalationRaised(
    escalation: { id: string; organizationId: string; conversationId: string },
    appServiceId: string,
  ) {
    await this.publish('escalationRaised', {
      organizationId: escalation.organizationId,
      appServiceId,
      conversationId: escalation.conversationId,
      escalationId: escalation.id,
    });
  }

  /** A session ended, a key was revoked or a membership changed: live subscriptions re-check at once. */
  async credentialsChanged(change: CredentialChange): Promise<void> {
    try {
      await this.bus.publish(CREDENTIAL_CHANGES_TOPIC, change);
    } catch (error) {
      // The subscriptions still re-check within SUBSCRIPTION_RECHECK_SECONDS of their next event.
      this.failures.note('publish failed', CREDENTIAL_CHANGES_TOPIC, { err: String(error) });
    }
  }

  async sentimentUpdated(update: {
    organizationId: string;
    appServiceId: string;
    analysisIds: string[];
    windowStart: Date;
    windowEnd: Date;
  }): Promise<void> {
    await this.publish('sentimentUpdated', {
      organizationId: update.organizationId,
      appServiceId: update.appServiceId,
      analysisIds: update.analysisIds,
      windowStart: update.windowStart.toISOString(),
      windowEnd: update.windowEnd.toISOString(),
    });
  }
}

/** The changes between two versions of a conversation, as subscribers name them. */
export function conversationChanges(
  before: { status: string; assigneeId: string | null; priority: string; labels: string[] } | null,
  after: { status: string; assigneeId: string | null; priority: string; labels: string[] },
): ConversationChange[] {
  if (!before) return ['created'];
  const changes: ConversationChange[] = [];
  if (before.status !== after.status) changes.push('status');
  if (before.assigneeId !== after.assigneeId) changes.push('assignee');
  if (before.priority !== after.priority) changes.push('priority');
  if (before.labels.join('\u0000') !== after.labels.join('\u0000')) changes.push('labels');
  return changes;
}
