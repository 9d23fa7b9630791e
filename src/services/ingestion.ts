import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { AppService, Conversation, Message } from '../generated/prisma/client.js';
import type { Channel, MessageType, SenderType } from '../generated/prisma/enums.js';
import { enqueueManyInTransaction } from '../jobs/outbox.js';
import { botReplyNeedsCheck } from './handoff-triggers.js';
import type { OutboxJobInput } from '../jobs/queue.js';
import { conversationChanges } from '../realtime/publisher.js';
import type { ConversationChange } from '../realtime/topics.js';
import { customerKey, resolveContacts, type Customer } from './contact-matching.js';
import { unheldStatus } from './conversation-lifecycle.js';
import { lockConversations } from './conversation-locks.js';
import {
  currentConversations,
  insertMessages,
  placeBySentAt,
  updateConversations,
  type NewMessage,
} from './conversation-store.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';
import { isUniqueViolation, lockKeysInOrder, type Tx } from './transactions.js';

/** The most messages `ingestMessages` takes in one call (one transaction). */
export const MAX_BATCH = 500;

export interface IngestMessageInput {
  appServiceId: string;
  customer: Customer;
  senderType: SenderType;
  content: string;
  type?: MessageType | null;
  link?: string | null;
  channel?: Channel | null;
  subchannel?: string | null;
  metaData?: Prisma.InputJsonObject;
  sentAt?: Date | null;
  idempotencyKey?: string | null;
  /** A BOT message's confidence in its own answer (0–1), for the CONFIDENCE handoff trigger. */
  confidence?: number | null;
}

/** What ingestion uses of the services' dependencies. */
export type IngestionDeps = Pick<ServiceDeps, 'prisma' | 'realtime' | 'afterCommit' | 'now'>;

export interface IngestResult {
  message: Message;
  conversation: Conversation;
  /** True while the bot holds the conversation and the message is the customer's: the bot may answer. */
  botShouldReply: boolean;
  /** True when the idempotency key was seen before: nothing new was stored. */
  duplicate: boolean;
}

export async function ingestMessage(
  deps: IngestionDeps,
  actor: Actor,
  input: IngestMessageInput,
): Promise<IngestResult> {
  const [result] = await ingestMessages(deps, actor, [input]);
  return result!;
}

/**
 * Stores messages from an integrator, all or nothing. Each finds or creates its contact (one contact per
 * person across channels) and the customer's open conversation, keeps the conversation ordered by sentAt,
 * and returns what it stored. An idempotency key seen before returns the first result and stores nothing.
 */
export async function ingestMessages(
  deps: IngestionDeps,
  actor: Actor,
  inputs: IngestMessageInput[],
): Promise<IngestResult[]> {
  actor.assertAuthenticated();
  if (inputs.length === 0) return [];
  if (inputs.length > MAX_BATCH) throw badInput(`At most ${MAX_BATCH} messages per call.`);
  const keys = inputs.map((input) => input.idempotencyKey).filter(Boolean);
  if (new Set(keys).size !== keys.length)
    throw badInput('The same idempotencyKey appears twice in this batch.');

  const appServiceIds = [...new Set(inputs.map((input) => input.appServiceId))];
  const appServices = await deps.prisma.appService.findMany({
    where: {
      id: { in: appServiceIds },
      organizationId: { in: actor.organizationIdsWith('messages:ingest') },
    },
  });
  if (appServices.length !== appServiceIds.length) throw forbidden();
  const byId = new Map(appServices.map((appService) => [appService.id, appService]));

  const run = () =>
    deps.prisma.$transaction(
      async (tx) => {
        // One lock per customer, taken in a fixed order so concurrent batches cannot deadlock.
        const lockKeys = [
          ...new Set(inputs.map((input) => customerLockKey(byId.get(input.appServiceId)!, input))),
        ];
        await lockKeysInOrder(tx, lockKeys.sort());
        // Read the clock once the locks are held, so messages without sentAt are ordered as they are stored.
        return storeBatch(tx, byId, inputs, nowOf(deps));
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  let stored: StoredMessage[] | undefined;
  for (let attempt = 1; !stored; attempt++) {
    try {
      stored = await run();
    } catch (error) {
      // A concurrent request committed the same idempotency key first: the retry returns its result.
      if (!isUniqueViolation(error)) throw error;
      if (attempt >= 3) throw conflict('Another request is storing this idempotency key; retry it.');
    }
  }
  if (stored.some(({ result }) => !result.duplicate && result.message.senderType === 'CUSTOMER')) {
    deps.afterCommit?.();
  }
  await publishStored(deps, stored);
  return stored.map(({ result }) => result);
}

/** What one message changed, kept for publishing once the transaction committed. */
interface StoredMessage {
  result: IngestResult;
  changes: ConversationChange[];
}

async function publishStored(deps: IngestionDeps, stored: StoredMessage[]): Promise<void> {
  for (const { result, changes } of stored) {
    if (result.duplicate) continue;
    await deps.realtime.messageAdded(result.message);
    await deps.realtime.conversationUpdated(result.conversation, [...changes, 'message']);
  }
}

function channelOf(appService: AppService, input: IngestMessageInput): Channel {
  return input.channel ?? appService.channel;
}

function customerLockKey(appService: AppService, input: IngestMessageInput): string {
  return `ingest:${appService.organizationId}:${channelOf(appService, input)}:${input.customer.externalId}`;
}

const idempotencyKeyOf = (appServiceId: string, key: string) => `${appServiceId}\u0000${key}`;

/**
 * The batch in one pass of set-wise statements, with the same outcome as storing the messages one by one
 * in order: earlier idempotency keys answer with their first result; each customer's contact and current
 * conversation are found (or created) once; the conversations are locked together (in id order); messages
 * that arrive in order are inserted together, a late one (sentAt before the newest) takes its place by
 * sentAt as before; each conversation is updated once, to its state after its last message, and every
 * result carries the conversation as it was right after its own message.
 */
async function storeBatch(
  tx: Tx,
  byId: Map<string, AppService>,
  inputs: IngestMessageInput[],
  now: Date,
): Promise<StoredMessage[]> {
  const keyed = inputs.filter((input) => input.idempotencyKey);
  const seen = new Map<string, Message & { conversation: Conversation }>();
  if (keyed.length > 0) {
    const keysByAppService = new Map<string, string[]>();
    for (const input of keyed) {
      const keys = keysByAppService.get(input.appServiceId) ?? [];
      keys.push(input.idempotencyKey!);
      keysByAppService.set(input.appServiceId, keys);
    }
    const existing = await tx.message.findMany({
      where: {
        OR: [...keysByAppService].map(([appServiceId, keys]) => ({
          appServiceId,
          idempotencyKey: { in: keys },
        })),
      },
      include: { conversation: true },
    });
    for (const row of existing) seen.set(idempotencyKeyOf(row.appServiceId, row.idempotencyKey!), row);
  }
  const previous = (input: IngestMessageInput) =>
    input.idempotencyKey ? seen.get(idempotencyKeyOf(input.appServiceId, input.idempotencyKey)) : undefined;
  const fresh = inputs.filter((input) => !previous(input));

  const contactIds = await resolveContacts(
    tx,
    fresh.map((input) => {
      const appService = byId.get(input.appServiceId)!;
      return {
        organizationId: appService.organizationId,
        channel: channelOf(appService, input),
        customer: input.customer,
      };
    }),
  );
  const contactOf = (input: IngestMessageInput) => {
    const appService = byId.get(input.appServiceId)!;
    return contactIds.get(
      customerKey(appService.organizationId, channelOf(appService, input), input.customer.externalId),
    )!;
  };

  // The current conversation of each (app service, contact), created where there is none or it is CLOSED.
  const pairs = new Map<string, { appService: AppService; contactId: string; sentAt: Date }>();
  for (const input of fresh) {
    const contactId = contactOf(input);
    const pair = `${input.appServiceId}\u0000${contactId}`;
    if (!pairs.has(pair)) {
      pairs.set(pair, { appService: byId.get(input.appServiceId)!, contactId, sentAt: input.sentAt ?? now });
    }
  }
  const { conversationIds, created } = await currentConversations(tx, pairs);
  // Lock them all, in id order, until the transaction ends: message indexes are handed out one at a time.
  const state = new Map<string, Conversation>();
  if (conversationIds.size > 0) {
    const ids = [...new Set(conversationIds.values())];
    for (const conversation of await lockConversations(tx, ids)) state.set(conversation.id, conversation);
  }

  const stamp = new Date();
  const results: StoredMessage[] = [];
  const pending: { row: NewMessage; result: number }[] = [];
  const jobs: OutboxJobInput[] = [];
  const touched = new Set<string>();
  const flush = async () => {
    if (pending.length === 0) return;
    const messages = await insertMessages(
      tx,
      pending.map((p) => p.row),
    );
    pending.forEach(({ result }, i) => (results[result]!.result.message = messages[i]!));
    pending.length = 0;
  };
  for (const input of inputs) {
    const appService = byId.get(input.appServiceId)!;
    const earlier = previous(input);
    if (earlier) {
      const { conversation: stored, ...message } = earlier;
      // As it is now: changed by an earlier message of this batch, or as stored.
      const conversation = touched.has(stored.id) ? { ...state.get(stored.id)! } : stored;
      const result = {
        message,
        conversation,
        botShouldReply: botShouldReply(conversation, message.senderType),
        duplicate: true,
      };
      results.push({ result, changes: [] });
      continue;
    }
    const channel = channelOf(appService, input);
    const sentAt = input.sentAt ?? now;
    const contactId = contactOf(input);
    const conversationId = conversationIds.get(`${appService.id}\u0000${contactId}`)!;
    const conversation = state.get(conversationId)!;
    const before = created.has(conversationId) && !touched.has(conversationId) ? null : { ...conversation };
    let index: number;
    if (conversation.messageCount === 0 || sentAt >= conversation.lastMessageAt) {
      index = conversation.messageCount;
    } else {
      // Counting and shifting need every earlier message of the batch in the table.
      await flush();
      index = await placeBySentAt(tx, conversation, sentAt);
    }
    const row = {
      id: randomUUID(),
      organizationId: appService.organizationId,
      appServiceId: appService.id,
      conversationId,
      index,
      senderType: input.senderType,
      senderContactId: input.senderType === 'CUSTOMER' ? contactId : null,
      content: input.content,
      type: input.type ?? 'TEXT',
      link: input.link ?? null,
      channel,
      subchannel: input.subchannel ?? null,
      metaData: input.metaData,
      origin: 'integration',
      idempotencyKey: input.idempotencyKey ?? null,
      sentAt,
      confidence: input.senderType === 'BOT' ? (input.confidence ?? null) : null,
    } satisfies NewMessage;
    const updated: Conversation = {
      ...conversation,
      messageCount: conversation.messageCount + 1,
      lastMessageAt:
        sentAt > conversation.lastMessageAt || conversation.messageCount === 0
          ? sentAt
          : conversation.lastMessageAt,
      ...statusAfterMessage(conversation, appService, input.senderType),
      ...(input.senderType === 'AGENT' && !conversation.firstReplyAt ? { firstReplyAt: sentAt } : {}),
      updatedAt: stamp,
    };
    state.set(conversationId, updated);
    touched.add(conversationId);
    if (input.senderType === 'CUSTOMER') {
      // In the message's own transaction: a crash after the commit only delays classification.
      jobs.push({
        queue: 'classification',
        name: 'classify',
        payload: { messageId: row.id, organizationId: appService.organizationId },
      });
    } else if (input.senderType === 'BOT' && botReplyNeedsCheck(input.content, input.confidence)) {
      // Only replies a CONFIDENCE handoff rule could match cost a job.
      jobs.push({
        queue: 'routing',
        name: 'check-bot-reply',
        payload: { messageId: row.id, organizationId: appService.organizationId },
      });
    }
    pending.push({ row, result: results.length });
    results.push({
      result: {
        // Filled in by flush() with the row as stored.
        message: undefined as unknown as Message,
        conversation: { ...updated },
        botShouldReply: botShouldReply(updated, input.senderType),
        duplicate: false,
      },
      changes: conversationChanges(before, updated),
    });
  }
  await flush();
  await updateConversations(
    tx,
    [...touched].map((id) => state.get(id)!),
  );
  await enqueueManyInTransaction(tx, jobs);
  return results;
}

function botShouldReply(conversation: Conversation, senderType: SenderType): boolean {
  return conversation.status === 'BOT' && senderType === 'CUSTOMER';
}

/** A customer writing after RESOLVED reopens the conversation (conversation-lifecycle.ts); after PENDING it is the agent's turn again. */
function statusAfterMessage(
  conversation: Conversation,
  appService: AppService,
  senderType: SenderType,
): Partial<Pick<Conversation, 'status' | 'assigneeId' | 'resolvedAt'>> {
  if (senderType !== 'CUSTOMER') return {};
  if (conversation.status === 'RESOLVED') {
    return { status: unheldStatus(appService.botEnabled), assigneeId: null, resolvedAt: null };
  }
  if (conversation.status === 'PENDING') return { status: conversation.assigneeId ? 'ASSIGNED' : 'OPEN' };
  return {};
}
