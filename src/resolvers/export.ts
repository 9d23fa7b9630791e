import { ExportKind, ExportStatus } from '../generated/prisma/enums.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { nowOf } from '../services/deps.js';
import { downloadPath } from '../services/export-links.js';
import * as exports from '../services/exports.js';
import { builder } from './builder.js';
import { ConversationFilterInput, toConversationFilter } from './conversation-filter.js';
import { depsOf } from './deps.js';
import { paged } from './pagination.js';
import { ReportDimensionEnum, ReportRangeInput } from './report.js';

const ExportKindEnum = builder.enumType(ExportKind, { name: 'ExportKind' });
const ExportStatusEnum = builder.enumType(ExportStatus, {
  name: 'ExportStatus',
  description:
    'QUEUED (waiting for its job, or for a retry), RUNNING, READY (downloadUrl), FAILED (after its last try), ' +
    'EXPIRED (past expiresAt: the file is deleted).',
});

/**
 * A CSV export. Only its requester sees it, and only while they may still export in its organization
 * (OWNER, ADMIN, ANALYST): another member, even an OWNER, does not.
 */
export const ExportNode = builder.prismaNode('Export', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, AND: [exports.ownExportsWhere(ctx.actor)] }),
  authScopes: (row, ctx) =>
    row.requestedById === ctx.actor.user?.id && ctx.actor.can(row.organizationId, 'data:export'),
  fields: (t) => ({
    kind: t.expose('kind', { type: ExportKindEnum }),
    status: t.field({
      type: ExportStatusEnum,
      select: { status: true, expiresAt: true },
      resolve: (row, _args, ctx) => exports.effectiveStatus(row, nowOf(ctx.deps)),
    }),
    rowCount: t.exposeInt('rowCount', {
      nullable: true,
      description: 'Data rows (the header apart), once READY.',
    }),
    byteSize: t.float({
      nullable: true,
      description: 'Bytes of the file, once READY (a Float: it may pass 2^31).',
      select: { byteSize: true },
      resolve: (row) => (row.byteSize === null ? null : Number(row.byteSize)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set when READY: the link and the file go then (EXPORT_TTL_MINUTES).',
    }),
    downloadUrl: t.string({
      nullable: true,
      description:
        "While READY: the path of the CSV on the api's origin (/exports/<id>/download?token=…). GET it with the " +
        "requester's own Authorization header; it answers 410 once expired.",
      select: { id: true, requestedById: true, linkKey: true, status: true, expiresAt: true },
      resolve: (row, _args, ctx) =>
        row.status === 'READY' &&
        row.expiresAt &&
        row.expiresAt > nowOf(ctx.deps) &&
        row.requestedById === ctx.actor.user?.id
          ? downloadPath(row, row.expiresAt)
          : null,
    }),
  }),
});

const ExportConversationsInput = builder.inputType('ExportConversationsInput', {
  fields: (t) => ({
    organizationId: t.id(),
    filter: t.field({ type: ConversationFilterInput, required: false }),
    appServiceIds: t.idList({
      required: false,
      description: `At most ${exports.MAX_EXPORT_APP_SERVICES}; none: every app service of the organization.`,
    }),
    from: t.field({ type: 'DateTime', required: false, description: 'Conversations created at or after.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Conversations created before.' }),
  }),
});

const ExportReportInput = builder.inputType('ExportReportInput', {
  fields: (t) => ({
    organizationId: t.id(),
    range: t.field({ type: ReportRangeInput }),
    dimensions: t.field({
      type: [ReportDimensionEnum],
      required: false,
      description: 'Which rows; agents, teams and labels when absent or empty.',
    }),
  }),
});

builder.mutationFields((t) => ({
  exportConversations: t.field({
    type: ExportNode,
    description:
      'OWNER, ADMIN and ANALYST, signed in. Queues a CSV of the conversations that match (one row each); ' +
      `poll the Export (node, organization.exports) until READY. At most ${exports.MAX_UNFINISHED_EXPORTS} ` +
      'of your exports run at once (CONFLICT).',
    authScopes: { user: true },
    args: { input: t.arg({ type: ExportConversationsInput }) },
    resolve: (_root, { input }, ctx) =>
      exports.exportConversations(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        filter: toConversationFilter(input.filter),
        appServiceIds: input.appServiceIds?.map((id) => decodeIdOf('AppService', String(id))) ?? null,
        from: input.from ?? null,
        to: input.to ?? null,
      }),
  }),
  exportReport: t.field({
    type: ExportNode,
    description:
      'OWNER, ADMIN and ANALYST, signed in. Queues a CSV of the report (organization.report): one line per ' +
      "agent, team and label, over local days in the organization's time zone.",
    authScopes: { user: true },
    args: { input: t.arg({ type: ExportReportInput }) },
    resolve: (_root, { input }, ctx) =>
      exports.exportReport(depsOf(ctx), ctx.actor, {
        organizationId: decodeIdOf('Organization', input.organizationId),
        from: input.range.from,
        to: input.range.to,
        dimensions: input.dimensions ?? null,
      }),
  }),
}));

builder.prismaObjectFields('Organization', (t) => ({
  exports: t.relatedConnection('exports', {
    description: 'Your own exports here, newest first; empty for API keys and AGENTs.',
    cursor: 'id',
    ...paged(20, 100),
    query: (_args, ctx) => ({
      where: exports.ownExportsWhere(ctx.actor),
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    }),
  }),
}));
