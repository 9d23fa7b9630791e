// Teams: groups of agents that conversations are routed within (a handoff rule's target, a transfer).
// An agent may be in several; a conversation with a team goes only to that team's members.
import type { Actor } from '../auth/actor.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';
import { changedFields, jsonOf, recordAudit, recordAudits, type AuditEntry } from './audit-log.js';
import type { ServiceDeps } from './deps.js';
import { isUniqueViolation, type Tx } from './transactions.js';
import { nameSchema } from './validation.js';
import { Prisma } from '../generated/prisma/client.js';
import type { BusinessHours } from './business-hours.js';

/** Agents per team at most (the routing reads them with every candidate). */
export const MAX_TEAM_AGENTS = 500;

export async function createTeam(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: {
    organizationId: string;
    name: string;
    agentIds?: string[] | null;
    businessHours?: BusinessHours | null;
    appServiceIds?: string[] | null;
  },
) {
  actor.assertCan(input.organizationId, 'agents:manage');
  const name = nameSchema.parse(input.name);
  return deps.prisma.$transaction(async (tx) => {
    const agentIds = await agentsInOrganization(tx, input.organizationId, input.agentIds ?? []);
    const appServiceIds = await appServicesInOrganization(
      tx,
      input.organizationId,
      input.appServiceIds ?? [],
    );
    let team;
    try {
      team = await tx.team.create({
        data: {
          organizationId: input.organizationId,
          name,
          appServiceIds,
          ...(input.businessHours ? { businessHours: input.businessHours } : {}),
          members: { createMany: { data: agentIds.map((agentId) => ({ agentId })) } },
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`A team named "${name}" exists already.`);
      throw error;
    }
    await recordAudit(tx, {
      organizationId: team.organizationId,
      actor,
      action: 'team.created',
      targetType: 'TEAM',
      targetId: team.id,
      changes: {
        name: { to: team.name },
        agentIds: { to: agentIds },
        appServiceIds: { to: appServiceIds },
        businessHours: { to: jsonOf(team.businessHours) },
      },
    });
    return team;
  });
}

/** Renames, and with agentIds replaces the members (the list is the team's whole membership). */
export async function updateTeam(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: {
    id: string;
    name?: string | null;
    agentIds?: string[] | null;
    businessHours?: BusinessHours | null;
    appServiceIds?: string[] | null;
  },
) {
  const team = await teamInReach(deps.prisma, actor, input.id);
  return deps.prisma.$transaction(async (tx) => {
    const audits: AuditEntry[] = [];
    const audit = (action: AuditEntry['action'], changes: AuditEntry['changes']) =>
      audits.push({
        organizationId: team.organizationId,
        actor,
        action,
        targetType: 'TEAM',
        targetId: team.id,
        changes,
      });
    if (input.agentIds) {
      const agentIds = await agentsInOrganization(tx, team.organizationId, input.agentIds);
      const removed = await tx.teamMember.findMany({
        where: { teamId: team.id, agentId: { notIn: agentIds } },
        select: { agentId: true },
      });
      if (removed.length > 0)
        await tx.teamMember.deleteMany({
          where: { teamId: team.id, agentId: { in: removed.map((member) => member.agentId) } },
        });
      const added = await tx.teamMember.createManyAndReturn({
        data: agentIds.map((agentId) => ({ teamId: team.id, agentId })),
        skipDuplicates: true,
        select: { agentId: true },
      });
      // One entry per agent in or out (one INSERT for all), so a member's history reads entry by entry.
      for (const { agentId } of added) audit('team.member_added', { agentId: { to: agentId } });
      for (const { agentId } of removed) audit('team.member_removed', { agentId: { from: agentId } });
    }
    let updated;
    try {
      updated = await tx.team.update({
        where: { id: team.id },
        data: {
          ...(input.name ? { name: nameSchema.parse(input.name) } : {}),
          ...(input.appServiceIds
            ? { appServiceIds: await appServicesInOrganization(tx, team.organizationId, input.appServiceIds) }
            : {}),
          // null clears the hours (always open); absent leaves them.
          ...(input.businessHours !== undefined
            ? { businessHours: input.businessHours ?? Prisma.DbNull }
            : {}),
          updatedAt: new Date(),
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`A team named "${input.name}" exists already.`);
      throw error;
    }
    const changes = changedFields(team, updated, ['name', 'appServiceIds', 'businessHours']);
    if (changes) audit('team.updated', changes);
    await recordAudits(tx, audits);
    return updated;
  });
}

/** Its conversations go back to the whole organization; rules that targeted it route without a team. */
export async function deleteTeam(deps: Pick<ServiceDeps, 'prisma'>, actor: Actor, input: { id: string }) {
  const team = await teamInReach(deps.prisma, actor, input.id);
  await deps.prisma.$transaction(async (tx) => {
    await tx.team.delete({ where: { id: team.id } });
    await recordAudit(tx, {
      organizationId: team.organizationId,
      actor,
      action: 'team.deleted',
      targetType: 'TEAM',
      targetId: team.id,
      changes: { name: { from: team.name }, appServiceIds: { from: team.appServiceIds } },
    });
  });
  return team;
}

export async function teamInReach(db: Tx, actor: Actor, id: string) {
  actor.assertAuthenticated();
  const team = await db.team.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith('agents:manage') } },
  });
  if (!team) throw forbidden();
  return team;
}

/** The ids, de-duplicated, once every one is an agent of the organization; BAD_USER_INPUT otherwise. */
async function agentsInOrganization(tx: Tx, organizationId: string, given: string[]): Promise<string[]> {
  const agentIds = [...new Set(given)];
  if (agentIds.length > MAX_TEAM_AGENTS) throw badInput(`At most ${MAX_TEAM_AGENTS} agents per team.`);
  if (agentIds.length === 0) return [];
  const found = await tx.agent.count({ where: { id: { in: agentIds }, organizationId } });
  if (found !== agentIds.length)
    throw badInput('Every agent of a team must be an agent of its organization.');
  return agentIds;
}

/** The ids, de-duplicated, once every one is an app service of the organization; BAD_USER_INPUT otherwise. */
async function appServicesInOrganization(tx: Tx, organizationId: string, given: string[]): Promise<string[]> {
  const ids = [...new Set(given)];
  if (ids.length === 0) return [];
  const found = await tx.appService.count({ where: { id: { in: ids }, organizationId } });
  if (found !== ids.length) throw badInput('No such app service in this organization.');
  return ids;
}

/** The team a handoff without a team of its own goes to: the oldest serving the app service, if any. */
export async function teamServing(
  tx: Tx,
  organizationId: string,
  appServiceId: string,
): Promise<string | null> {
  const team = await tx.team.findFirst({
    where: { organizationId, appServiceIds: { has: appServiceId } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true },
  });
  return team?.id ?? null;
}
