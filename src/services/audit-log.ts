// The audit log: who did what in an organization, written in the transaction of the change itself, so an
// entry exists if and only if the change does. The table is append-only (a trigger refuses UPDATE, and
// DELETE unless the organization itself is gone: prisma/migrations/*_audit_log). Nothing here reads it;
// `organization.auditLog` (src/resolvers/audit-log.ts) does, for OWNER and ADMIN.
import type { Actor } from '../auth/actor.js';
import { currentRequestId } from '../db/query-cancellation.js';
import type { AuditLogEntry, Conversation, Prisma } from '../generated/prisma/client.js';
import { badInput } from '../kernel/errors.js';
import type { ServiceDeps } from './deps.js';
import type { Tx } from './transactions.js';

/** What was done. Codes are `<target>.<verb>`; the list is closed so a typo does not compile. */
export const auditActions = [
  'member.added',
  'member.role_changed',
  'member.removed',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'handoff_rule.created',
  'handoff_rule.updated',
  'handoff_rule.deleted',
  'team.created',
  'team.updated',
  'team.deleted',
  'team.member_added',
  'team.member_removed',
  'sla_policy.created',
  'sla_policy.updated',
  'sla_policy.deleted',
  'business_hours.updated',
  'conversation.taken_over',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.status_changed',
  'conversation.priority_changed',
  'conversation.labels_changed',
  'organization.updated',
  'export.requested',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What an entry is about: each is a node type of the schema (a member's entries name the User). */
export const auditTargetTypes = [
  'USER',
  'API_KEY',
  'HANDOFF_RULE',
  'TEAM',
  'SLA_POLICY',
  'APP_SERVICE',
  'CONVERSATION',
  'EXPORT',
  'ORGANIZATION',
] as const;
export type AuditTargetType = (typeof auditTargetTypes)[number];

/** Who did it, as written down: ids to follow while they exist, and a label that outlives them. */
export interface AuditActor {
  kind: 'USER' | 'API_KEY' | 'SYSTEM';
  userId?: string | null;
  apiKeyId?: string | null;
  /** The user's email, the key's prefix, or the job's name: what the log shows when the row is gone. */
  label: string;
}

/** A change made by the platform itself (a schedule, routing): `label` names the job. */
export function systemActor(label: string): AuditActor {
  return { kind: 'SYSTEM', label };
}

/** Before and after of each field that changed. Never secrets, tokens or key material. */
export type AuditChanges = Record<
  string,
  { from?: Prisma.InputJsonValue | null; to?: Prisma.InputJsonValue | null }
>;

export interface AuditEntry {
  organizationId: string;
  /** The request's actor, or `systemActor(...)` for jobs. */
  actor: Actor | AuditActor;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  changes?: AuditChanges;
}

/**
 * Records one entry with `db`: pass the transaction of the change, so both commit or neither does. One
 * INSERT; the request id (x-request-id) of the request being served is taken from its scope.
 */
export async function recordAudit(db: Tx, entry: AuditEntry): Promise<void> {
  await db.auditLogEntry.create({ data: rowOf(entry, currentRequestId()) });
}

/** Several entries in one INSERT (a batch of changes in one transaction). */
export async function recordAudits(db: Tx, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const requestId = currentRequestId();
  await db.auditLogEntry.createMany({ data: entries.map((entry) => rowOf(entry, requestId)) });
}

/** The fields of `fields` whose value differs between before and after, as `{ field: { from, to } }`. */
export function changedFields<T extends object>(
  before: T,
  after: Partial<T>,
  fields: readonly (keyof T & string)[],
): AuditChanges | undefined {
  const changes: AuditChanges = {};
  for (const field of fields) {
    if (!(field in after) || after[field] === undefined) continue;
    const from = jsonOf(before[field]);
    const to = jsonOf(after[field]);
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/** The fields of a conversation that say who holds it and where it stands. */
const CONVERSATION_FIELDS = ['status', 'assigneeId', 'teamId'] as const;

/**
 * One entry for a conversation's takeover, assignment, transfer or status change, with its status, assignee
 * and team before and after (and `extra`); nothing when none changed and there is no `extra` (e.g. an
 * auto-assignment that only queued).
 */
export async function recordConversationChange(
  db: Tx,
  actor: Actor | AuditActor,
  action: Extract<AuditAction, `conversation.${string}`>,
  before: Pick<Conversation, 'id' | 'organizationId' | (typeof CONVERSATION_FIELDS)[number]>,
  after: Pick<Conversation, (typeof CONVERSATION_FIELDS)[number]>,
  extra?: AuditChanges,
): Promise<void> {
  const changes = changedFields(before, after, CONVERSATION_FIELDS);
  if (!changes && !extra) return;
  await recordAudit(db, {
    organizationId: before.organizationId,
    actor,
    action,
    targetType: 'CONVERSATION',
    targetId: before.id,
    changes: { ...changes, ...extra },
  });
}

/** A value as JSON: dates as ISO strings, undefined as null. */
export function jsonOf(value: unknown): Prisma.InputJsonValue | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

export function auditActorOf(actor: Actor | AuditActor): AuditActor {
  if (!('assertCan' in actor)) return actor;
  if (actor.user) return { kind: 'USER', userId: actor.user.id, label: actor.user.email };
  if (actor.apiKey)
    return { kind: 'API_KEY', apiKeyId: actor.apiKey.id, label: actor.apiKey.prefix ?? actor.apiKey.id };
  return systemActor('anonymous');
}

// Field names that never go into `changes`, whatever a caller passes: the log is read by admins and kept.
const secretField = /secret|token|password|hash|^key$|apiKey$/i;

function withoutSecrets(changes: AuditChanges | undefined): Prisma.InputJsonValue | undefined {
  if (!changes) return undefined;
  const kept: Record<string, Prisma.InputJsonValue> = {};
  for (const [field, change] of Object.entries(changes)) {
    if (secretField.test(field)) continue;
    kept[field] = { from: change.from ?? null, to: change.to ?? null } as Prisma.InputJsonValue;
  }
  return kept;
}

function rowOf(entry: AuditEntry, requestId: string | undefined): Prisma.AuditLogEntryCreateManyInput {
  const actor = auditActorOf(entry.actor);
  return {
    organizationId: entry.organizationId,
    actorKind: actor.kind,
    actorUserId: actor.userId ?? null,
    actorApiKeyId: actor.apiKeyId ?? null,
    actorLabel: actor.label.slice(0, 320),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    changes: withoutSecrets(entry.changes),
    requestId: requestId?.slice(0, 200) ?? null,
  };
}

/** Entries per page: by default, and at most. */
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 100;
/** Action codes one filter may name at most. */
export const AUDIT_FILTER_MAX_ACTIONS = auditActions.length;

export interface AuditLogFilter {
  actions?: readonly string[] | null;
  actorUserId?: string | null;
  targetType?: AuditTargetType | null;
  targetId?: string | null;
  /** Entries at or after. */
  since?: Date | null;
  /** Entries before. */
  until?: Date | null;
}

/**
 * One page of an organization's audit log, newest first (OWNER and ADMIN: `auditLog:read`, which no API key
 * has). Keyset paging on (createdAt, id), the order of the index: one statement per page, however deep.
 */
export async function listAuditLog(
  deps: Pick<ServiceDeps, 'prisma'>,
  actor: Actor,
  input: { organizationId: string; filter?: AuditLogFilter | null; first: number; after?: string | null },
): Promise<{ entries: AuditLogEntry[]; hasNextPage: boolean }> {
  actor.assertCan(input.organizationId, 'auditLog:read');
  const filter = input.filter ?? {};
  const actions = filter.actions ? [...new Set(filter.actions)] : null;
  if (actions && actions.length > AUDIT_FILTER_MAX_ACTIONS)
    throw badInput(`At most ${AUDIT_FILTER_MAX_ACTIONS} actions.`);
  const unknown = actions?.find((action) => !(auditActions as readonly string[]).includes(action));
  if (unknown !== undefined) throw badInput(`"${unknown.slice(0, 60)}" is not an audit action.`);
  if (filter.since && filter.until && filter.since >= filter.until)
    throw badInput('since must be before until.');
  const after = input.after ? decodeAuditCursor(input.after) : null;
  const rows = await deps.prisma.auditLogEntry.findMany({
    where: {
      organizationId: input.organizationId,
      ...(actions ? { action: { in: actions } } : {}),
      ...(filter.actorUserId ? { actorUserId: filter.actorUserId } : {}),
      ...(filter.targetType ? { targetType: filter.targetType } : {}),
      ...(filter.targetId ? { targetId: filter.targetId } : {}),
      createdAt: {
        ...(filter.since ? { gte: filter.since } : {}),
        ...(filter.until ? { lt: filter.until } : {}),
      },
      ...(after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.first + 1,
  });
  return { entries: rows.slice(0, input.first), hasNextPage: rows.length > input.first };
}

/** An entry's place in the log, opaque to clients. */
export function auditCursorOf(entry: Pick<AuditLogEntry, 'createdAt' | 'id'>): string {
  return Buffer.from(`${entry.createdAt.toISOString()}|${entry.id}`).toString('base64url');
}

function decodeAuditCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor.slice(0, 200), 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) throw badInput('The cursor is not valid.');
  return { createdAt, id };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
