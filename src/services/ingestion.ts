import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { AppService, Conversation, Message } from '../generated/prisma/client.js';
import type { Channel, MessageType, SenderType } from '../generated/prisma/enums.js';
import { enqueueManyInTransaction, type OutboxJobInput } from '../jobs/outbox.js';
import { conversationChanges } from '../realtime/publisher.js';
import type { ConversationChange } from '../realtime/topics.js';
import { unheldStatus } from './conversation-lifecycle.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';
import { isUniqueViolation, lockKeysInOrder, type Tx } from './transactions.js';

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

const customerKey = (organizationId: string, channel: Channel, externalId: string) =>
  `${organizationId}\u0000${channel}\u0000${externalId}`;
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

  const contactIds = await resolveContacts(tx, byId, fresh);
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
  const conversationIds = new Map<string, string>();
  const created = new Set<string>();
  if (pairs.size > 0) {
    const candidates = await tx.conversation.findMany({
      where: {
        appServiceId: { in: [...new Set([...pairs.values()].map((p) => p.appService.id))] },
        contactId: { in: [...new Set([...pairs.values()].map((p) => p.contactId))] },
      },
      orderBy: { createdAt: 'desc' },
      select: { id: true, status: true, appServiceId: true, contactId: true },
    });
    for (const [pair, { appService, contactId, sentAt }] of pairs) {
      const latest = candidates.find((c) => c.appServiceId === appService.id && c.contactId === contactId);
      if (latest && latest.status !== 'CLOSED') {
        conversationIds.set(pair, latest.id);
      } else {
        const id = await createConversation(tx, appService, contactId, sentAt);
        conversationIds.set(pair, id);
        created.add(id);
      }
    }
  }
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
      origin: input.origin ?? 'integration',
      idempotencyKey: input.idempotencyKey ?? null,
      sentAt,
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

type NewMessage = Pick<
  Message,
  | 'id'
  | 'organizationId'
  | 'appServiceId'
  | 'conversationId'
  | 'index'
  | 'senderType'
  | 'senderContactId'
  | 'content'
  | 'type'
  | 'link'
  | 'channel'
  | 'subchannel'
  | 'origin'
  | 'idempotencyKey'
  | 'sentAt'
> & { metaData: Prisma.InputJsonObject | undefined };

/**
 * The messages in one INSERT … SELECT FROM unnest (one array per column, whatever the count: Prisma's
 * createMany sends one parameter per value); returns them as stored, in the same order.
 */
async function insertMessages(tx: Tx, rows: NewMessage[]): Promise<Message[]> {
  const column = <T>(pick: (row: NewMessage) => T) => rows.map(pick);
  const stored = await tx.$queryRaw<{ id: string; created_at: Date; updated_at: Date }[]>`
    INSERT INTO messages (id, organization_id, app_service_id, conversation_id, index, sender_type,
      sender_contact_id, content, type, link, channel, subchannel, meta_data, origin, idempotency_key, sent_at,
      created_at, updated_at)
    SELECT r.id, r.organization_id, r.app_service_id, r.conversation_id, r.index, r.sender_type::"SenderType",
      r.sender_contact_id, r.content, r.type::"MessageType", r.link, r.channel::"Channel", r.subchannel,
      r.meta_data::jsonb, r.origin, r.idempotency_key, r.sent_at, now(), now()
    FROM unnest(
      ${column((r) => r.id)}::uuid[], ${column((r) => r.organizationId)}::uuid[],
      ${column((r) => r.appServiceId)}::uuid[], ${column((r) => r.conversationId)}::uuid[],
      ${column((r) => r.index)}::int[], ${column((r) => r.senderType)}::text[],
      ${column((r) => r.senderContactId)}::uuid[], ${column((r) => r.content)}::text[],
      ${column((r) => r.type)}::text[], ${column((r) => r.link)}::text[], ${column((r) => r.channel)}::text[],
      ${column((r) => r.subchannel)}::text[],
      ${column((r) => (r.metaData === undefined ? null : JSON.stringify(r.metaData)))}::text[],
      ${column((r) => r.origin)}::text[], ${column((r) => r.idempotencyKey)}::text[],
      ${column((r) => r.sentAt.toISOString())}::timestamptz[]
    ) AS r(id, organization_id, app_service_id, conversation_id, index, sender_type, sender_contact_id, content,
      type, link, channel, subchannel, meta_data, origin, idempotency_key, sent_at)
    RETURNING id::text AS id, created_at, updated_at`;
  const byId = new Map(stored.map((row) => [row.id, row]));
  return rows.map((row) => {
    const { created_at: createdAt, updated_at: updatedAt } = byId.get(row.id)!;
    return {
      ...row,
      senderAgentId: null,
      private: false,
      metaData: (row.metaData ?? null) as Prisma.JsonValue,
      deliveredAt: null,
      createdAt: new Date(createdAt),
      updatedAt: new Date(updatedAt),
    };
  });
}

/** Each conversation to the state it reached in the batch, in one UPDATE … FROM unnest (they are locked). */
async function updateConversations(tx: Tx, conversations: Conversation[]): Promise<void> {
  if (conversations.length === 0) return;
  const column = <T>(pick: (row: Conversation) => T) => conversations.map(pick);
  const time = (value: Date | null) => (value ? value.toISOString() : null);
  await tx.$executeRaw`
    UPDATE conversations AS c SET message_count = u.message_count, last_message_at = u.last_message_at,
      status = u.status::"ConversationStatus", assignee_id = u.assignee_id, resolved_at = u.resolved_at,
      first_reply_at = u.first_reply_at, updated_at = u.updated_at
    FROM unnest(
      ${column((c) => c.id)}::uuid[], ${column((c) => c.messageCount)}::int[],
      ${column((c) => time(c.lastMessageAt))}::timestamptz[], ${column((c) => c.status)}::text[],
      ${column((c) => c.assigneeId)}::uuid[], ${column((c) => time(c.resolvedAt))}::timestamptz[],
      ${column((c) => time(c.firstReplyAt))}::timestamptz[], ${column((c) => time(c.updatedAt))}::timestamptz[]
    ) AS u(id, message_count, last_message_at, status, assignee_id, resolved_at, first_reply_at, updated_at)
    WHERE c.id = u.id`;
}

function botShouldReply(conversation: Conversation, senderType: SenderType): boolean {
  return conversation.status === 'BOT' && senderType === 'CUSTOMER';
}

/** A customer writing after RESOLVED reopens the conversation (seed 003); after PENDING it is the agent's turn again. */
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

/** Channels whose customer id is a phone number, so the same number on another channel is the same person. */
const PHONE_CHANNELS: readonly Channel[] = ['WHATSAPP', 'SMS'];

export function normalizePhone(value: string): string | null {
  const digits = value.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{7,15}$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : null;
}

/**
 * The contact of each customer (organization, channel, external id) of the batch, found with one query
 * for the known ones; a new customer gets a contact (or, matched by phone, the one known on another
 * channel) and its identifier, in the order customers first appear. A name given later fills a contact's
 * missing name, as storing the messages one by one would.
 */
async function resolveContacts(
  tx: Tx,
  byId: Map<string, AppService>,
  inputs: IngestMessageInput[],
): Promise<Map<string, string>> {
  const customers = new Map<
    string,
    { organizationId: string; channel: Channel; inputs: IngestMessageInput['customer'][] }
  >();
  for (const input of inputs) {
    const appService = byId.get(input.appServiceId)!;
    const channel = channelOf(appService, input);
    const key = customerKey(appService.organizationId, channel, input.customer.externalId);
    const customer = customers.get(key);
    if (customer) customer.inputs.push(input.customer);
    else customers.set(key, { organizationId: appService.organizationId, channel, inputs: [input.customer] });
  }
  const contactIds = new Map<string, string>();
  if (customers.size === 0) return contactIds;
  const identifiers = await tx.contactIdentifier.findMany({
    where: {
      OR: [...customers.values()].map(({ organizationId, channel, inputs: [first] }) => ({
        organizationId,
        channel,
        externalId: first!.externalId,
      })),
    },
    select: {
      organizationId: true,
      channel: true,
      externalId: true,
      contactId: true,
      contact: { select: { name: true } },
    },
  });
  const known = new Map(
    identifiers.map((row) => [customerKey(row.organizationId, row.channel, row.externalId), row]),
  );
  for (const [key, { organizationId, channel, inputs: given }] of customers) {
    const identifier = known.get(key);
    let contact: { id: string; name: string | null };
    let rest = given;
    if (identifier) {
      contact = { id: identifier.contactId, name: identifier.contact.name };
    } else {
      contact = await createContact(tx, organizationId, channel, given[0]!);
      rest = given.slice(1);
    }
    const name = contact.name ? undefined : rest.find((customer) => customer.name)?.name;
    if (name) await tx.contact.update({ where: { id: contact.id }, data: { name } });
    contactIds.set(key, contact.id);
  }
  return contactIds;
}

/** A customer seen for the first time: its identifier, on the contact known by phone or a new one. */
async function createContact(
  tx: Tx,
  organizationId: string,
  channel: Channel,
  customer: IngestMessageInput['customer'],
): Promise<{ id: string; name: string | null }> {
  const phone =
    (customer.phone ? normalizePhone(customer.phone) : null) ??
    (PHONE_CHANNELS.includes(channel) ? normalizePhone(customer.externalId) : null);
  // The same person already known on another channel (matched by phone) gets this channel's identifier.
  const known = phone
    ? await tx.contact.findFirst({
        where: { organizationId, phone },
        orderBy: { createdAt: 'asc' },
        select: { id: true, name: true },
      })
    : null;
  const contact =
    known ??
    (await tx.contact.create({
      data: { organizationId, name: customer.name ?? null, phone },
      select: { id: true, name: true },
    }));
  await tx.contactIdentifier.create({
    data: { organizationId, channel, externalId: customer.externalId, contactId: contact.id },
  });
  return contact;
}

/** A new conversation of the customer on this app service (none yet, or the latest is CLOSED). */
async function createConversation(
  tx: Tx,
  appService: AppService,
  contactId: string,
  sentAt: Date,
): Promise<string> {
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
  return created.id;
}

/** Locks several conversation rows (in id order, so that two batches cannot deadlock) and reads them. */
async function lockConversations(tx: Tx, ids: string[]): Promise<Conversation[]> {
  await tx.$queryRaw`SELECT 1 FROM conversations WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
  return tx.conversation.findMany({ where: { id: { in: ids } } });
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
