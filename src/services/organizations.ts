import type { Actor } from '../auth/actor.js';
import { rolesWithAgentProfile } from '../auth/permissions.js';
import type { MembershipRole } from '../generated/prisma/enums.js';
import type { Prisma } from '../generated/prisma/client.js';
import { changedFields, recordAudit } from './audit-log.js';
import type { ServiceDeps } from './deps.js';
import { badInput, conflict, notFound } from '../kernel/errors.js';
import { timezoneSchema } from './validation.js';

type Tx = Prisma.TransactionClient;

/** The creator becomes OWNER, with an agent profile so they can work conversations at once. */
export async function createOrganization(deps: ServiceDeps, actor: Actor, input: { name: string }) {
  const user = actor.requireUser();
  const created = await deps.prisma.$transaction(async (tx) => {
    const organization = await tx.organization.create({ data: { name: input.name } });
    const membership = await tx.membership.create({
      data: { organizationId: organization.id, userId: user.id, role: 'OWNER' },
    });
    await ensureAgentProfile(tx, organization.id, user);
    return { organization, membership };
  });
  actor.noteMembership(created.organization.id, 'OWNER');
  return created;
}

export async function updateOrganization(
  deps: ServiceDeps,
  actor: Actor,
  input: {
    organizationId: string;
    name?: string | null;
    metaData?: Prisma.InputJsonObject;
    /** The IANA time zone reports count days in. */
    timezone?: string | null;
  },
) {
  actor.assertCan(input.organizationId, 'organization:manage');
  if (input.timezone && !timezoneSchema.safeParse(input.timezone).success) {
    throw badInput('timezone must be an IANA time zone such as Europe/Paris.');
  }
  return deps.prisma.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: input.organizationId } });
    const updated = await tx.organization.update({
      where: { id: input.organizationId },
      data: {
        ...(input.name ? { name: input.name } : {}),
        ...(input.metaData ? { metaData: input.metaData } : {}),
        ...(input.timezone ? { timezone: input.timezone } : {}),
      },
    });
    const changes = changedFields(before, updated, ['name', 'timezone', 'metaData']);
    if (changes) {
      await recordAudit(tx, {
        organizationId: updated.id,
        actor,
        action: 'organization.updated',
        targetType: 'ORGANIZATION',
        targetId: updated.id,
        changes,
      });
    }
    return updated;
  });
}

export async function addMember(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; email: string; role: MembershipRole },
) {
  actor.assertCan(input.organizationId, 'members:manage');
  const user = await deps.prisma.user.findUnique({
    where: { email: input.email },
    select: { id: true, name: true, email: true },
  });
  if (!user) throw notFound('A user with this email');
  return deps.prisma.$transaction(async (tx) => {
    const existing = await tx.membership.findUnique({
      where: { userId_organizationId: { userId: user.id, organizationId: input.organizationId } },
    });
    if (existing) throw conflict('This user is already a member of the organization.');
    const membership = await tx.membership.create({
      data: { organizationId: input.organizationId, userId: user.id, role: input.role },
    });
    if (rolesWithAgentProfile.includes(input.role)) await ensureAgentProfile(tx, input.organizationId, user);
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor,
      action: 'member.added',
      targetType: 'USER',
      targetId: membership.userId,
      changes: { email: { to: user.email }, role: { to: input.role } },
    });
    return membership;
  });
}

export async function changeMemberRole(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; userId: string; role: MembershipRole },
) {
  actor.assertCan(input.organizationId, 'members:manage');
  const updated = await deps.prisma.$transaction(async (tx) => {
    const membership = await findMembership(tx, input.organizationId, input.userId);
    if (membership.role === 'OWNER' && input.role !== 'OWNER')
      await assertAnotherOwner(tx, input.organizationId);
    const updated = await tx.membership.update({ where: { id: membership.id }, data: { role: input.role } });
    const user = await tx.user.findUniqueOrThrow({
      where: { id: input.userId },
      select: { id: true, name: true, email: true },
    });
    if (rolesWithAgentProfile.includes(input.role)) await ensureAgentProfile(tx, input.organizationId, user);
    else
      await tx.agent.updateMany({
        where: { organizationId: input.organizationId, userId: input.userId },
        data: { available: false },
      });
    if (membership.role !== input.role)
      await recordAudit(tx, {
        organizationId: input.organizationId,
        actor,
        action: 'member.role_changed',
        targetType: 'USER',
        targetId: membership.userId,
        changes: { role: { from: membership.role, to: input.role } },
      });
    return updated;
  });
  await deps.realtime.credentialsChanged({
    kind: 'member',
    userId: input.userId,
    organizationId: input.organizationId,
  });
  return updated;
}

/** Removes the membership; the agent profile stays for history but stops taking conversations. */
export async function removeMember(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; userId: string },
) {
  actor.assertCan(input.organizationId, 'members:manage');
  const removed = await deps.prisma.$transaction(async (tx) => {
    const membership = await findMembership(tx, input.organizationId, input.userId);
    if (membership.role === 'OWNER') await assertAnotherOwner(tx, input.organizationId);
    await tx.membership.delete({ where: { id: membership.id } });
    await tx.agent.updateMany({
      where: { organizationId: input.organizationId, userId: input.userId },
      data: { available: false, userId: null },
    });
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor,
      action: 'member.removed',
      targetType: 'USER',
      targetId: membership.userId,
      changes: { role: { from: membership.role } },
    });
    return membership;
  });
  await deps.realtime.credentialsChanged({
    kind: 'member',
    userId: input.userId,
    organizationId: input.organizationId,
  });
  return removed;
}

async function findMembership(tx: Tx, organizationId: string, userId: string) {
  const membership = await tx.membership.findUnique({
    where: { userId_organizationId: { userId, organizationId } },
  });
  if (!membership) throw notFound('Membership');
  return membership;
}

async function assertAnotherOwner(tx: Tx, organizationId: string) {
  const owners = await tx.membership.count({ where: { organizationId, role: 'OWNER' } });
  if (owners <= 1) throw conflict('An organization must keep at least one owner.');
}

async function ensureAgentProfile(
  tx: Tx,
  organizationId: string,
  user: { id: string; name: string; email: string },
) {
  await tx.agent.upsert({
    where: { organizationId_userId: { organizationId, userId: user.id } },
    create: { organizationId, userId: user.id, name: user.name, email: user.email, internal: true },
    update: { available: true },
  });
}
