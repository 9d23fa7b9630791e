import * as agents from '../services/agents.js';
import { languagesSchema, maxConcurrentSchema, topicsSchema } from '../services/agents.js';
import { ACTIVE_STATUSES, workingHoursSchema, type WorkingHours } from '../services/routing.js';
import {
  emailSchema,
  nameSchema,
  phoneSchema,
  timezoneSchema,
  toJsonObject,
} from '../services/validation.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { ChannelEnum } from './enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { inOrganizationsWith } from './tenancy.js';
import { paged } from './pagination.js';
import { loadOrganizationOf, organizationOwner } from './owner-relation.js';

const membersOnly = {
  authScopes: (agent: { organizationId: string }) => ({
    can: { organizationId: agent.organizationId, permission: 'members:read' as const },
  }),
  unauthorizedResolver: () => null,
};

/** A person who works conversations, with their routing preferences. */
export const AgentNode = builder.prismaNode('Agent', {
  id: { field: 'id' },
  // Select mode: a query loads only the columns its fields ask for (lists of these are long).
  select: { id: true, organizationId: true },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'organization:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    // Contact details of staff are for members, not for integrator keys.
    email: t.exposeString('email', { nullable: true, ...membersOnly }),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true, ...membersOnly }),
    otherInfo: t.expose('otherInfo', { type: 'JSON', nullable: true, ...membersOnly }),
    internal: t.exposeBoolean('internal'),
    origin: t.exposeString('origin'),
    channels: t.expose('channels', { type: [ChannelEnum] }),
    topics: t.exposeStringList('topics'),
    languages: t.exposeStringList('languages'),
    maxConcurrent: t.exposeInt('maxConcurrent'),
    available: t.exposeBoolean('available'),
    workingHours: t.expose('workingHours', { type: 'JSON', nullable: true }),
    timezone: t.exposeString('timezone'),
    lastAssignedAt: t.expose('lastAssignedAt', { type: 'DateTime', nullable: true }),
    user: t.relation('user', { nullable: true, ...membersOnly }),
    // Up the ownership tree: a statement of its own (owner-relation.ts).
    organization: t.prismaField({
      type: 'Organization',
      select: organizationOwner,
      resolve: loadOrganizationOf,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    activeConversationCount: t.relationCount('assigned', {
      description:
        'Conversations assigned to the agent with status ASSIGNED or PENDING (counted against maxConcurrent).',
      where: { status: { in: ACTIVE_STATUSES } },
    }),
    assignments: t.relatedConnection('assignments', {
      description: 'Assignment history of the agent, newest first.',
      cursor: 'id',
      ...paged(20, 100),
      totalCount: true,
      query: (_args, ctx) => ({
        where: inOrganizationsWith(ctx, 'conversations:read'),
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
    }),
  }),
});

/** The profile fields of both inputs; every one optional. */
const profileFields = {
  email: emailSchema.nullable().optional(),
  phoneNumber: phoneSchema.nullable().optional(),
  origin: nameSchema.optional(),
  topics: topicsSchema.optional(),
  languages: languagesSchema.optional(),
  maxConcurrent: maxConcurrentSchema.optional(),
  workingHours: workingHoursSchema.nullable().optional(),
  timezone: timezoneSchema.optional(),
};

const profileDescription =
  'Fields left out stay as they are; null clears email, phoneNumber, otherInfo and workingHours (null hours = always).';
const workingHoursDescription =
  'Weekly hours in the agent\'s timezone, e.g. { "mon": [["09:00","17:00"]], "fri": [["22:00","02:00"]] } (an end before the start runs past midnight); null = always.';

export const CreateAgentInput = builder.inputType('CreateAgentInput', {
  description: 'An agent profile without a user (external agents); members get theirs when they join.',
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ validate: nameSchema }),
    email: t.string({ required: false, validate: profileFields.email }),
    phoneNumber: t.string({ required: false, validate: profileFields.phoneNumber }),
    otherInfo: t.field({ type: 'JSON', required: false }),
    internal: t.boolean({ required: false, description: 'Defaults to true.' }),
    origin: t.string({ required: false, validate: profileFields.origin }),
    channels: t.field({ type: [ChannelEnum], required: false, description: 'Empty: every channel.' }),
    topics: t.stringList({
      required: false,
      validate: profileFields.topics,
      description: 'Empty: every topic.',
    }),
    languages: t.stringList({
      required: false,
      validate: profileFields.languages,
      description: 'Language codes (en, ar…); empty: every language.',
    }),
    maxConcurrent: t.int({
      required: false,
      validate: profileFields.maxConcurrent,
      description: '1 to 100; defaults to 5.',
    }),
    available: t.boolean({ required: false, description: 'Defaults to true.' }),
    workingHours: t.field({
      type: 'JSON',
      required: false,
      validate: profileFields.workingHours,
      description: workingHoursDescription,
    }),
    timezone: t.string({
      required: false,
      validate: profileFields.timezone,
      description: 'IANA; defaults to UTC.',
    }),
  }),
});

export const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  description: profileDescription,
  fields: (t) => ({
    id: t.id(),
    name: t.string({ required: false, validate: nameSchema.optional() }),
    email: t.string({ required: false, validate: profileFields.email }),
    phoneNumber: t.string({ required: false, validate: profileFields.phoneNumber }),
    otherInfo: t.field({ type: 'JSON', required: false }),
    internal: t.boolean({ required: false }),
    origin: t.string({ required: false, validate: profileFields.origin }),
    channels: t.field({ type: [ChannelEnum], required: false, description: 'Empty: every channel.' }),
    topics: t.stringList({
      required: false,
      validate: profileFields.topics,
      description: 'Empty: every topic.',
    }),
    languages: t.stringList({
      required: false,
      validate: profileFields.languages,
      description: 'Empty: every language.',
    }),
    maxConcurrent: t.int({ required: false, validate: profileFields.maxConcurrent }),
    available: t.boolean({ required: false }),
    workingHours: t.field({
      type: 'JSON',
      required: false,
      validate: profileFields.workingHours,
      description: workingHoursDescription,
    }),
    timezone: t.string({ required: false, validate: profileFields.timezone }),
  }),
});

export const SetAvailabilityInput = builder.inputType('SetAvailabilityInput', {
  fields: (t) => ({ organizationId: t.id(), available: t.boolean() }),
});

/** otherInfo: absent leaves it, null clears it, else a bounded JSON object. */
const otherInfoOf = (value: unknown) => (value === null ? null : toJsonObject(value));

builder.mutationField('createAgent', (t) =>
  t.field({
    type: AgentNode,
    description: 'Adds an agent profile with routing preferences (ADMIN or OWNER).',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateAgentInput }) },
    resolve: async (_root, { input }, ctx) => {
      const change = await agents.createAgent(depsOf(ctx), ctx.actor, {
        ...input,
        organizationId: decodeIdOf('Organization', input.organizationId),
        otherInfo: otherInfoOf(input.otherInfo),
        workingHours: input.workingHours as WorkingHours | null | undefined,
      });
      return change.agent;
    },
  }),
);

builder.mutationField('updateAgent', (t) =>
  t.field({
    type: AgentNode,
    description: 'Changes an agent profile and its routing preferences (ADMIN or OWNER).',
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateAgentInput }) },
    resolve: async (_root, { input }, ctx) => {
      const change = await agents.updateAgent(depsOf(ctx), ctx.actor, {
        ...input,
        id: decodeIdOf('Agent', input.id),
        otherInfo: otherInfoOf(input.otherInfo),
        workingHours: input.workingHours as WorkingHours | null | undefined,
      });
      return change.agent;
    },
  }),
);

builder.mutationField('setAvailability', (t) =>
  t.field({
    type: AgentNode,
    description:
      "Switches the signed-in user's own agent profile in the organization on or off; coming on takes queued conversations at once.",
    authScopes: { user: true },
    args: { input: t.arg({ type: SetAvailabilityInput }) },
    resolve: async (_root, { input }, ctx) => {
      const change = await agents.setAvailability(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        available: input.available,
      });
      return change.agent;
    },
  }),
);
