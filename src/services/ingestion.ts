import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { AppService, Conversation, Message } from '../generated/prisma/client.js';
import type { Channel, MessageType, SenderType } from '../generated/prisma/enums.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { conversationChanges } from '../realtime/publisher.js';
import type { ConversationChange } from '../realtime/topics.js';
import { unheldStatus } from './conversation-lifecycle.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput, forbidden } from './errors.js';
import { isUniqueViolation, lockKey, type Tx } from './transactions.js';

/** The most messages `ingestMessages` takes in one call (one transaction). */
export const MAX_BATCH = 500;

export interface IngestMessageInput {
  appServiceId: string;
  customer: { externalId: string; name?: string | null; phone?: string | null };
  senderType: SenderType;
  content: string;
  type?: MessageType | null;
  link?: string | null;
  channel?: Channel | null;
  subchannel?: string | null;
  metaData?: Prisma.InputJsonObject;
  sentAt?: Date | null;
  idempotencyKey?: string | null;
  origin?: string | null;
}

export interface IngestResult {
  message: Message;
  conversation: Conversation;
  /** True while the bot holds the conversation and the message is the customer's: the bot may answer. */
  botShouldReply: boolean;
  /** True when the idempotency key was seen before: nothing new was stored. */
  duplicate: boolean;
}

export async function ingestMessage(
  deps: ServiceDeps,
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
  deps: ServiceDeps,
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
        for (const key of lockKeys.sort()) await lockKey(tx, key);
        // Read the clock once the locks are held, so messages without sentAt are ordered as they are stored.
        const now = nowOf(deps);
        const results: StoredMessage[] = [];
        for (const input of inputs)
          results.push(await ingestOne(tx, byId.get(input.appServiceId)!, input, now));
        return results;
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  let stored: StoredMessage[];
  try {
    stored = await run();
  } catch (error) {
    // A concurrent request committed the same idempotency key first: the retry returns its result.
    if (!isUniqueViolation(error)) throw error;
    stored = await run();
  }
  if (stored.some(({ result }) => !result.duplicate && result.message.senderType === 'CUSTOMER')) {
    deps.onJobsQueued?.();
  }
  await publishStored(deps, stored);
  return stored.map(({ result }) => result);
}

/** What one message changed, kept for publishing once the transaction committed. */
interface StoredMessage {
  result: IngestResult;
  changes: ConversationChange[];
}

async function publishStored(deps: ServiceDeps, stored: StoredMessage[]): Promise<void> {
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

async function ingestOne(
  tx: Tx,
  appService: AppService,
  input: IngestMessageInput,
  now: Date,
): Promise<StoredMessage> {
  if (input.idempotencyKey) {
    const existing = await tx.message.findUnique({
      where: {
        appServiceId_idempotencyKey: { appServiceId: appService.id, idempotencyKey: input.idempotencyKey },
      },
      include: { conversation: true },
    });
    if (existing) {
      const { conversation, ...message } = existing;
      const result = {
        message,
        conversation,
        botShouldReply: botShouldReply(conversation, message.senderType),
        duplicate: true,
      };
      return { result, changes: [] };
    }
  }
  const channel = channelOf(appService, input);
  const sentAt = input.sentAt ?? now;
  const contactId = await resolveContact(tx, appService.organizationId, channel, input.customer);
  const current = await currentConversation(tx, appService, contactId, sentAt);
  const conversation = await lockConversation(tx, current.id);
  const before = current.created ? null : conversation;
  const index = await placeBySentAt(tx, conversation, sentAt);

  const message = await tx.message.create({
    data: {
      organizationId: appService.organizationId,
      appServiceId: appService.id,
      conversationId: conversation.id,
      index,
      senderType: input.senderType,
      senderContactId: input.senderType === 'CUSTOMER' ? contactId : null,
      content: input.content,
      type: input.type ?? 'TEXT',
      link: input.link ?? null,
      channel,
      subchannel: input.subchannel ?? null,
      metaData: input.metaData,
      origin: input.origin ?? 'integration',
      idempotencyKey: input.idempotencyKey ?? null,
      sentAt,
    },
  });
  const updated = await tx.conversation.update({
    where: { id: conversation.id },
    data: {
      messageCount: { increment: 1 },
      lastMessageAt:
        sentAt > conversation.lastMessageAt || conversation.messageCount === 0 ? sentAt : undefined,
      ...statusAfterMessage(conversation, appService, input.senderType),
      ...(input.senderType === 'AGENT' && !conversation.firstReplyAt ? { firstReplyAt: sentAt } : {}),
    },
  });
  if (input.senderType === 'CUSTOMER') {
    // In the message's own transaction: a crash after the commit only delays classification.
    await enqueueInTransaction(tx, {
      queue: 'classification',
      name: 'classify',
      payload: { messageId: message.id, organizationId: appService.organizationId },
    });
  }
  const result = {
    message,
    conversation: updated,
    botShouldReply: botShouldReply(updated, input.senderType),
    duplicate: false,
  };
  return { result, changes: conversationChanges(before, updated) };
}

function botShouldReply(conversation: Conversation, senderType: SenderType): boolean {
  return conversation.status === 'BOT' && senderType === 'CUSTOMER';
}

/** A customer writing after RESOLVED reopens the conversation (seed 003); after PENDING it is the agent's turn again. */
function statusAfterMessage(
  conversation: Conversation,
  appService: AppService,
  senderType: SenderType,
): Prisma.ConversationUncheckedUpdateInput {
  if (senderType !== 'CUSTOMER') return {};
  if (conversation.status === 'RESOLVED') {
    return { status: unheldStatus(appService.botEnabled), assigneeId: null, resolvedAt: null };
  }
  if (conversation.status === 'PENDING') return { status: conversation.assigneeId ? 'ASSIGNED' : 'OPEN' };
  return {};
}

/** Channels whose customer id is a phone number, so the same number on another channel is the same person. */
const PHONE_CHANNELS: readonly Channel[] = ['WHATSAPP', 'SMS'];

export function normalizePhone(value: string): string | null {
  const digits = value.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{7,15}$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : null;
}

async function resolveContact(
  tx: Tx,
  organizationId: string,
  channel: Channel,
  customer: IngestMessageInput['customer'],
): Promise<string> {
  const key = { organizationId, channel, externalId: customer.externalId };
  const identifier = await tx.contactIdentifier.findUnique({
    where: { organizationId_channel_externalId: key },
    select: { contactId: true, contact: { select: { name: true } } },
  });
  if (identifier) {
    if (customer.name && !identifier.contact.name) {
      await tx.contact.update({ where: { id: identifier.contactId }, data: { name: customer.name } });
    }
    return identifier.contactId;
  }
  const phone =
    (customer.phone ? normalizePhone(customer.phone) : null) ??
    (PHONE_CHANNELS.includes(channel) ? normalizePhone(customer.externalId) : null);
  // The same person already known on another channel (matched by phone) gets this channel's identifier.
  const known = phone
    ? await tx.contact.findFirst({
        where: { organizationId, phone },
        orderBy: { createdAt: 'asc' },
        select: { id: true },
      })
    : null;
  const contactId =
    known?.id ??
    (
      await tx.contact.create({
        data: { organizationId, name: customer.name ?? null, phone },
        select: { id: true },
      })
    ).id;
  await tx.contactIdentifier.create({ data: { ...key, contactId } });
  return contactId;
}

/** The customer's latest conversation on this app service, or a new one when there is none or it is CLOSED. */
async function currentConversation(tx: Tx, appService: AppService, contactId: string, sentAt: Date) {
  const latest = await tx.conversation.findFirst({
    where: { appServiceId: appService.id, contactId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, status: true },
  });
  if (latest && latest.status !== 'CLOSED') return { id: latest.id, created: false };
  const created = await tx.conversation.create({
    data: {
      organizationId: appService.organizationId,
      appServiceId: appService.id,
      contactId,
      status: unheldStatus(appService.botEnabled),
      lastMessageAt: sentAt,
      origin: 'integration',
      participants: { create: { contactId } },
    },
    select: { id: true },
  });
  return { id: created.id, created: true };
}

/** Locks the conversation row until the transaction ends, so message indexes are handed out one at a time. */
export async function lockConversation(tx: Tx, conversationId: string): Promise<Conversation> {
  await tx.$queryRaw`SELECT 1 FROM conversations WHERE id = ${conversationId}::uuid FOR UPDATE`;
  return tx.conversation.findUniqueOrThrow({ where: { id: conversationId } });
}

/**
 * The index for a message sent at `sentAt`: the end of the conversation, or, for a message that arrives
 * late (sentAt before the newest message), its place by sentAt, shifting the later ones up by one.
 */
export async function placeBySentAt(tx: Tx, conversation: Conversation, sentAt: Date): Promise<number> {
  if (conversation.messageCount === 0 || sentAt >= conversation.lastMessageAt)
    return conversation.messageCount;
  const index = await tx.message.count({
    where: { conversationId: conversation.id, sentAt: { lte: sentAt } },
  });
  if (index >= conversation.messageCount) return conversation.messageCount;
  // Two steps through negative numbers, because the unique (conversation, index) is checked row by row.
  await tx.$executeRaw`UPDATE messages SET index = -index - 1 WHERE conversation_id = ${conversation.id}::uuid AND index >= ${index}`;
  await tx.$executeRaw`UPDATE messages SET index = -index WHERE conversation_id = ${conversation.id}::uuid AND index < 0`;
  return index;
}
