import * as teams from '../services/teams.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { nameSchema } from '../services/validation.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { inOrganizationsWith } from './tenancy.js';
import { BusinessHoursInput, BusinessHoursRef, hoursField, hoursOf } from './business-hours.js';
import { isOpen } from '../services/business-hours.js';

/** A group of agents conversations are routed within: a handoff rule's target, a transfer's. */
export const TeamNode = builder.prismaNode('Team', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'organization:read') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'organization:read' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    businessHours: t.field({
      type: BusinessHoursRef,
      nullable: true,
      description: 'Outside them, handoffs to the team queue; null: always open.',
      select: { businessHours: true },
      resolve: (team) => hoursField(team.businessHours),
    }),
    appServices: t.prismaField({
      type: ['AppService'],
      description: 'The app services it serves: a handoff whose rule names no team goes to it.',
      select: { appServiceIds: true, organizationId: true },
      resolve: (query, team, _args, ctx) =>
        team.appServiceIds.length === 0
          ? []
          : ctx.deps.prisma.appService.findMany({
              ...query,
              where: { id: { in: team.appServiceIds }, organizationId: team.organizationId },
              orderBy: { name: 'asc' },
            }),
    }),
    openNow: t.boolean({
      select: { businessHours: true },
      resolve: (team) => isOpen(team.businessHours, new Date()),
    }),
    agents: t.prismaField({
      type: ['Agent'],
      description: 'The members, by name.',
      select: (_args, _ctx, nestedSelection) => ({
        members: { select: { agent: nestedSelection() }, orderBy: { agent: { name: 'asc' } }, take: 500 },
      }),
      resolve: (_query, team) => team.members.map((member) => member.agent),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const agentIds = (t: PothosInputFieldBuilder) =>
  t.idList({
    required: false,
    description: 'Agents of the organization; on update, the whole membership (absent: unchanged).',
  });
type PothosInputFieldBuilder = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

const CreateTeamInput = builder.inputType('CreateTeamInput', {
  fields: (t) => ({
    organizationId: t.id(),
    name: t.string({ validate: nameSchema }),
    agentIds: agentIds(t),
    businessHours: t.field({ type: BusinessHoursInput, required: false }),
    appServiceIds: t.idList({ required: false, description: 'The app services the team serves.' }),
  }),
});

const UpdateTeamInput = builder.inputType('UpdateTeamInput', {
  fields: (t) => ({
    id: t.id(),
    name: t.string({ required: false, validate: nameSchema.optional() }),
    agentIds: agentIds(t),
    businessHours: t.field({ type: BusinessHoursInput, required: false, description: 'null: always open.' }),
    appServiceIds: t.idList({ required: false, description: 'The app services it serves (the whole list).' }),
  }),
});

const DeleteTeamInput = builder.inputType('DeleteTeamInput', { fields: (t) => ({ id: t.id() }) });

const decodeAppServices = (ids: readonly (string | number)[] | null | undefined) =>
  ids ? ids.map((id) => decodeIdOf('AppService', String(id))) : null;
const decodeAgents = (ids: readonly (string | number)[] | null | undefined) =>
  ids ? ids.map((id) => decodeIdOf('Agent', String(id))) : null;

builder.mutationFields((t) => ({
  createTeam: t.field({
    type: TeamNode,
    description: 'OWNER and ADMIN. Team names are unique in an organization.',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateTeamInput }) },
    resolve: (_root, { input }, ctx) =>
      teams.createTeam(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        name: input.name,
        agentIds: decodeAgents(input.agentIds),
        businessHours: hoursOf(input.businessHours),
        appServiceIds: decodeAppServices(input.appServiceIds),
      }),
  }),
  updateTeam: t.field({
    type: TeamNode,
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateTeamInput }) },
    resolve: (_root, { input }, ctx) =>
      teams.updateTeam(depsOf(ctx), ctx.actor, {
        id: decodeIdOf('Team', input.id),
        name: input.name ?? null,
        agentIds: decodeAgents(input.agentIds),
        appServiceIds: decodeAppServices(input.appServiceIds),
        ...('businessHours' in input ? { businessHours: hoursOf(input.businessHours) } : {}),
      }),
  }),
  deleteTeam: t.id({
    description:
      'Returns the id of the deleted team. Its conversations are routed in the whole organization again.',
    authScopes: { user: true },
    args: { input: t.arg({ type: DeleteTeamInput }) },
    resolve: async (_root, { input }, ctx) => {
      await teams.deleteTeam(depsOf(ctx), ctx.actor, { id: decodeIdOf('Team', input.id) });
      return input.id;
    },
  }),
}));
