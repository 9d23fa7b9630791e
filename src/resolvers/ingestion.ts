import { z } from 'zod';
import * as ingestion from '../services/ingestion.js';
import { MAX_MESSAGE_LENGTH } from '../services/conversation-actions.js';
import { externalIdSchema, nameSchema, phoneSchema, toJsonObject } from '../services/validation.js';
import { builder } from './builder.js';
import { ConversationNode } from './conversation.js';
import { depsOf } from './deps.js';
import { ChannelEnum, MessageTypeEnum, SenderTypeEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { MessageNode } from './message.js';

const CustomerInput = builder.inputType('CustomerInput', {
  description: 'Who the conversation is with, as the channel knows them.',
  fields: (t) => ({
    externalId: t.string({
      description:
        'Phone number or platform id; on WHATSAPP and SMS also matched as a phone across channels.',
      validate: externalIdSchema,
    }),
    name: t.string({ required: false, validate: nameSchema.optional() }),
    phone: t.string({ required: false, validate: phoneSchema.optional() }),
  }),
});

const IngestMessageInput = builder.inputType('IngestMessageInput', {
  fields: (t) => ({
    appServiceId: t.id(),
    customer: t.field({ type: CustomerInput }),
    senderType: t.field({ type: SenderTypeEnum, defaultValue: 'CUSTOMER' }),
    content: t.string({
      description: `The text, or the caption of a file (at most ${MAX_MESSAGE_LENGTH} characters).`,
      validate: z.string().max(MAX_MESSAGE_LENGTH),
    }),
    type: t.field({ type: MessageTypeEnum, required: false, description: 'Defaults to TEXT.' }),
    link: t.string({ required: false, validate: z.url().max(2048).optional() }),
    channel: t.field({
      type: ChannelEnum,
      required: false,
      description: "Defaults to the app service's channel.",
    }),
    subchannel: t.string({ required: false, validate: z.string().max(100).optional() }),
    metaData: t.field({ type: 'JSON', required: false }),
    sentAt: t.field({
      type: 'DateTime',
      required: false,
      description: 'When the customer sent it; the conversation stays in sentAt order. Defaults to now.',
    }),
    idempotencyKey: t.string({
      required: false,
      description: 'The same key twice (per app service) returns the first result and stores nothing new.',
      validate: z.string().min(1).max(200).optional(),
    }),
    confidence: t.float({
      required: false,
      description:
        "A BOT message's confidence in its own answer, 0 to 1: below a CONFIDENCE handoff rule's threshold, the conversation goes to humans. Ignored for other senders.",
      validate: z.number().min(0).max(1).optional(),
    }),
  }),
});

type IngestInput = typeof IngestMessageInput.$inferInput;

const toServiceInput = (input: IngestInput): ingestion.IngestMessageInput => ({
  ...input,
  appServiceId: decodeIdOf('AppService', input.appServiceId),
  metaData: toJsonObject(input.metaData),
});

const IngestMessagePayload = builder.objectRef<ingestion.IngestResult>('IngestMessagePayload').implement({
  fields: (t) => ({
    // Loaded by id with the selection planned from the query, so nested fields cost one statement and a
    // key that only writes gets empty lists (not errors) where it may not read.
    message: t.prismaField({
      type: MessageNode,
      resolve: (query, result, _args, ctx) =>
        ctx.db.prisma.message.findUniqueOrThrow({ ...query, where: { id: result.message.id } }),
    }),
    conversation: t.prismaField({
      type: ConversationNode,
      resolve: (query, result, _args, ctx) =>
        ctx.db.prisma.conversation.findUniqueOrThrow({ ...query, where: { id: result.conversation.id } }),
    }),
    botShouldReply: t.exposeBoolean('botShouldReply', {
      description:
        'False while a human holds the conversation (or it is not the bot’s): the bot stays quiet.',
    }),
    duplicate: t.exposeBoolean('duplicate', {
      description: 'The idempotency key was seen before; nothing stored.',
    }),
  }),
});

builder.mutationField('ingestMessage', (t) =>
  t.field({
    type: IngestMessagePayload,
    description: 'Stores one message of a customer conversation (API key with MESSAGES_WRITE).',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: IngestMessageInput }) },
    resolve: (_root, { input }, ctx) =>
      ingestion.ingestMessage(depsOf(ctx), ctx.actor, toServiceInput(input)),
  }),
);

const IngestMessagesInput = builder.inputType('IngestMessagesInput', {
  fields: (t) => ({
    messages: t.field({
      type: [IngestMessageInput],
      description: `Up to ${ingestion.MAX_BATCH} messages, stored all or nothing, in this order.`,
      validate: z.array(z.unknown()).min(1).max(ingestion.MAX_BATCH),
    }),
  }),
});

const IngestMessagesPayload = builder.objectRef<ingestion.IngestResult[]>('IngestMessagesPayload').implement({
  fields: (t) => ({
    results: t.field({ type: [IngestMessagePayload], resolve: (results) => results }),
  }),
});

builder.mutationField('ingestMessages', (t) =>
  t.field({
    type: IngestMessagesPayload,
    description: 'A batch for backfills and busy connectors: all stored, or none.',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: IngestMessagesInput }) },
    resolve: (_root, { input }, ctx) =>
      ingestion.ingestMessages(depsOf(ctx), ctx.actor, input.messages.map(toServiceInput)),
  }),
);
