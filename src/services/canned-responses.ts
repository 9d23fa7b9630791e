import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Agent, Conversation } from '../generated/prisma/client.js';
import type { ServiceDeps } from './deps.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';
import { isUniqueViolation, type Tx } from './transactions.js';

/** The variables a canned response may use, filled in when an agent sends it. */
export const CANNED_VARIABLES = ['contact_name', 'contact_phone', 'agent_name', 'organization_name'] as const;
type Variable = (typeof CANNED_VARIABLES)[number];

const VARIABLE = /\{\{\s*([a-z_]+)\s*\}\}/g;

export const shortCodeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, 'must be 1–50 letters, digits, "-" or "_"');

export const cannedContentSchema = z
  .string()
  .trim()
  .min(1)
  .max(5000)
  .refine(
    (content) =>
      [...content.matchAll(VARIABLE)].every(([, name]) => CANNED_VARIABLES.includes(name as Variable)),
    `may only use the variables ${CANNED_VARIABLES.map((name) => `{{${name}}}`).join(', ')}`,
  );

export async function createCannedResponse(
  deps: ServiceDeps,
  actor: Actor,
  input: { organizationId: string; shortCode: string; content: string },
) {
  actor.assertCan(input.organizationId, 'conversations:work');
  try {
    return await deps.prisma.cannedResponse.create({ data: input });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`The short code "${input.shortCode}" is already used.`);
    throw error;
  }
}

export async function updateCannedResponse(
  deps: ServiceDeps,
  actor: Actor,
  input: { id: string; shortCode?: string | null; content?: string | null },
) {
  const existing = await cannedInReach(deps, actor, input.id);
  try {
    return await deps.prisma.cannedResponse.update({
      where: { id: existing.id },
      data: {
        ...(input.shortCode ? { shortCode: input.shortCode } : {}),
        ...(input.content ? { content: input.content } : {}),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`The short code "${input.shortCode}" is already used.`);
    throw error;
  }
}

export async function deleteCannedResponse(deps: ServiceDeps, actor: Actor, input: { id: string }) {
  const existing = await cannedInReach(deps, actor, input.id);
  await deps.prisma.cannedResponse.delete({ where: { id: existing.id } });
  return existing;
}

async function cannedInReach(deps: ServiceDeps, actor: Actor, id: string) {
  actor.assertAuthenticated();
  const found = await deps.prisma.cannedResponse.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith('conversations:work') } },
  });
  if (!found) throw forbidden();
  return found;
}

/** The canned response's text with its variables filled from the conversation, its contact and the agent. */
export async function renderCannedResponse(
  tx: Tx,
  input: { id: string; conversation: Conversation; agent: Agent },
): Promise<string> {
  const canned = await tx.cannedResponse.findFirst({
    where: { id: input.id, organizationId: input.conversation.organizationId },
  });
  if (!canned) throw badInput('No such canned response in this organization.');
  // One after the other: a transaction is one connection, and pg refuses concurrent queries on it.
  const contact = input.conversation.contactId
    ? await tx.contact.findUnique({
        where: { id: input.conversation.contactId },
        select: { name: true, phone: true },
      })
    : null;
  const organization = await tx.organization.findUniqueOrThrow({
    where: { id: input.conversation.organizationId },
    select: { name: true },
  });
  const values: Record<Variable, string> = {
    contact_name: contact?.name ?? '',
    contact_phone: contact?.phone ?? '',
    agent_name: input.agent.name,
    organization_name: organization.name,
  };
  return canned.content.replace(VARIABLE, (_match, name: string) => values[name as Variable] ?? '').trim();
}
