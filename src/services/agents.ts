import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Permission } from '../auth/permissions.js';
import { Prisma, type Agent } from '../generated/prisma/client.js';
import type { Channel } from '../generated/prisma/enums.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { forbidden, notFound } from '../kernel/errors.js';
import type { WorkingHours } from './routing.js';
import { lockOrganizationRouting } from './routing-assignment.js';
import { drainQueue, publishAssignments } from './routing-queue.js';
import { limits } from './validation.js';

type Tx = Prisma.TransactionClient;

/** Input rules of the routing preferences (the GraphQL inputs validate with these). */
export const topicSchema = z.string().trim().min(1, 'must not be empty').max(50);
export const languageSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/, 'must be a language code such as en or ar-AE');
export const maxConcurrentSchema = z.number().int().min(1).max(100);
export const topicsSchema = z.array(topicSchema).max(limits.listItems);
export const languagesSchema = z.array(languageSchema).max(limits.listItems);

/**
 * An agent profile's fields. Undefined leaves a field as it is; so does null, except for the nullable
 * fields (email, phoneNumber, otherInfo, workingHours), where null clears it (workingHours null = always).
 */
export interface AgentProfileInput {
  name?: string | null;
  email?: string | null;
  phoneNumber?: string | null;
  otherInfo?: Prisma.InputJsonObject | null;
  internal?: boolean | null;
  origin?: string | null;
  channels?: Channel[] | null;
  topics?: string[] | null;
  languages?: string[] | null;
  maxConcurrent?: number | null;
  available?: boolean | null;
  workingHours?: WorkingHours | null;
  timezone?: string | null;
}

export interface CreateAgentInput extends AgentProfileInput {
  organizationId: string;
  name: string;
}

export interface UpdateAgentInput extends AgentProfileInput {
  id: string;
}

/** The agent after the change, and the queued conversations it let the router assign (to publish after commit). */
export interface AgentChange {
  agent: Agent;
  assignments: { conversationId: string; agentId: string }[];
}

/**
 * A profile without a user (userId null): an external agent, or staff outside the platform. Members get
 * theirs when they join (see organizations.ts). Becoming available lets it take queued conversations at once.
 */
export async function createAgent(
  deps: ServiceDeps,
  actor: Actor,
  input: CreateAgentInput,
): Promise<AgentChange> {
  actor.assertCan(input.organizationId, 'agents:manage');
  const { organizationId, name, ...profile } = input;
  const now = nowOf(deps);
  const change = await deps.prisma.$transaction(async (tx) => {
    await lockOrganizationRouting(tx, organizationId);
    const agent = await tx.agent.create({ data: { ...profileData(profile), organizationId, name } });
    return afterRoutingChange(tx, agent, now);
  });
  await publishAssignments(deps, change.assignments);
  return change;
}

/** Changes the fields given (ADMIN or OWNER); a change that may make the agent eligible drains the queue. */
export async function updateAgent(
  deps: ServiceDeps,
  actor: Actor,
  input: UpdateAgentInput,
): Promise<AgentChange> {
  const { id, ...profile } = input;
  const existing = await findAgentFor(deps, actor, id, 'agents:manage');
  const now = nowOf(deps);
  const change = await deps.prisma.$transaction(async (tx) => {
    // The lock before the row update: see lockOrganizationRouting.
    await lockOrganizationRouting(tx, existing.organizationId);
    const agent = await tx.agent.update({ where: { id: existing.id }, data: profileData(profile) });
    return routingFieldGiven(profile) ? afterRoutingChange(tx, agent, now) : { agent, assignments: [] };
  });
  await publishAssignments(deps, change.assignments);
  return change;
}

/**
 * The signed-in user switches their own agent profile in the organization on or off. Going off keeps
 * the conversations they hold; coming on takes queued ones at once (same transaction). FORBIDDEN for API
 * keys and for users who do not work conversations there; NOT_FOUND when the user has no agent profile.
 */
export async function setAvailability(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; available: boolean },
): Promise<AgentChange> {
  const user = actor.requireUser();
  actor.assertCan(input.organizationId, 'conversations:work');
  const existing = await deps.prisma.agent.findUnique({
    where: { organizationId_userId: { organizationId: input.organizationId, userId: user.id } },
    select: { id: true },
  });
  if (!existing) throw notFound('Your agent profile in this organization');
  const now = nowOf(deps);
  const change = await deps.prisma.$transaction(async (tx) => {
    if (input.available) await lockOrganizationRouting(tx, input.organizationId);
    const agent = await tx.agent.update({
      where: { id: existing.id },
      data: { available: input.available },
    });
    return afterRoutingChange(tx, agent, now);
  });
  await publishAssignments(deps, change.assignments);
  return change;
}

/** The agent if the actor holds the permission in its organization; FORBIDDEN otherwise (also when unknown). */
export async function findAgentFor(deps: ServiceDeps, actor: Actor, id: string, permission: Permission) {
  actor.assertAuthenticated();
  const agent = await deps.prisma.agent.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith(permission) } },
  });
  if (!agent) throw forbidden();
  return agent;
}

/** Drains the queue when the agent can now take conversations; re-reads the agent if it took some. */
async function afterRoutingChange(tx: Tx, agent: Agent, now: Date): Promise<AgentChange> {
  if (!agent.available) return { agent, assignments: [] };
  const assignments = await drainQueue(tx, { organizationId: agent.organizationId, now });
  const tookSome = assignments.some((assignment) => assignment.agentId === agent.id);
  return {
    agent: tookSome ? await tx.agent.findUniqueOrThrow({ where: { id: agent.id } }) : agent,
    assignments,
  };
}

const routingFields = [
  'available',
  'channels',
  'topics',
  'languages',
  'maxConcurrent',
  'workingHours',
  'timezone',
] as const satisfies readonly (keyof AgentProfileInput)[];

function routingFieldGiven(profile: AgentProfileInput): boolean {
  // workingHours null is a change too (to "always").
  return routingFields.some((field) => profile[field] != null) || profile.workingHours === null;
}

/** The columns shared by create and update (both accept this shape). */
interface ProfileData {
  name?: string;
  email?: string | null;
  phoneNumber?: string | null;
  otherInfo?: Prisma.InputJsonObject | Prisma.NullableJsonNullValueInput;
  internal?: boolean;
  origin?: string;
  channels?: Channel[];
  topics?: string[];
  languages?: string[];
  maxConcurrent?: number;
  available?: boolean;
  workingHours?: Prisma.InputJsonObject | Prisma.NullableJsonNullValueInput;
  timezone?: string;
}

/** Lists are stored without duplicates; topics keep their first spelling, languages are lower-cased. */
function profileData(input: AgentProfileInput): ProfileData {
  const data: ProfileData = {};
  if (input.name != null) data.name = input.name;
  if (input.email !== undefined) data.email = input.email;
  if (input.phoneNumber !== undefined) data.phoneNumber = input.phoneNumber;
  if (input.otherInfo !== undefined) data.otherInfo = input.otherInfo ?? Prisma.DbNull;
  if (input.internal != null) data.internal = input.internal;
  if (input.origin != null) data.origin = input.origin;
  if (input.channels != null) data.channels = [...new Set(input.channels)];
  if (input.topics != null) data.topics = uniqueIgnoringCase(input.topics.map((topic) => topic.trim()));
  if (input.languages != null)
    data.languages = [...new Set(input.languages.map((language) => language.trim().toLowerCase()))];
  if (input.maxConcurrent != null) data.maxConcurrent = input.maxConcurrent;
  if (input.available != null) data.available = input.available;
  if (input.workingHours !== undefined)
    data.workingHours =
      input.workingHours === null ? Prisma.DbNull : (input.workingHours as Prisma.InputJsonObject);
  if (input.timezone != null) data.timezone = input.timezone;
  return data;
}

function uniqueIgnoringCase(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
