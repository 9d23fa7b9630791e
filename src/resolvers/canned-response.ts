import * as canned from '../services/canned-responses.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { decodeIdOf } from '../kernel/global-id.js';
import { inOrganizationsWith } from './tenancy.js';

export const CannedResponseNode = builder.prismaNode('CannedResponse', {
  id: { field: 'id' },
  nullable: true,
  description: `A saved reply. Variables: ${canned.CANNED_VARIABLES.map((name) => `{{${name}}}`).join(', ')}.`,
  findUnique: (id, ctx) => ({ id, ...inOrganizationsWith(ctx, 'conversations:work') }),
  authScopes: (row) => ({ can: { organizationId: row.organizationId, permission: 'conversations:work' } }),
  fields: (t) => ({
    shortCode: t.exposeString('shortCode'),
    content: t.exposeString('content'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const CreateCannedResponseInput = builder.inputType('CreateCannedResponseInput', {
  fields: (t) => ({
    organizationId: t.id(),
    shortCode: t.string({ validate: canned.shortCodeSchema }),
    content: t.string({ validate: canned.cannedContentSchema }),
  }),
});

const UpdateCannedResponseInput = builder.inputType('UpdateCannedResponseInput', {
  fields: (t) => ({
    id: t.id(),
    shortCode: t.string({ required: false, validate: canned.shortCodeSchema.optional() }),
    content: t.string({ required: false, validate: canned.cannedContentSchema.optional() }),
  }),
});

const DeleteCannedResponseInput = builder.inputType('DeleteCannedResponseInput', {
  fields: (t) => ({ id: t.id() }),
});

builder.mutationFields((t) => ({
  createCannedResponse: t.field({
    type: CannedResponseNode,
    description:
      'Members who work conversations (AGENT and up) share the canned responses of their organization.',
    authScopes: { user: true },
    args: { input: t.arg({ type: CreateCannedResponseInput }) },
    resolve: (_root, { input }, ctx) =>
      canned.createCannedResponse(depsOf(ctx), ctx.actor, {
        ...input,
        organizationId: decodeIdOf('Organization', input.organizationId),
      }),
  }),
  updateCannedResponse: t.field({
    type: CannedResponseNode,
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateCannedResponseInput }) },
    resolve: (_root, { input }, ctx) =>
      canned.updateCannedResponse(depsOf(ctx), ctx.actor, {
        ...input,
        id: decodeIdOf('CannedResponse', input.id),
      }),
  }),
  deleteCannedResponse: t.id({
    description: 'Returns the id of the deleted canned response.',
    authScopes: { user: true },
    args: { input: t.arg({ type: DeleteCannedResponseInput }) },
    resolve: async (_root, { input }, ctx) => {
      await canned.deleteCannedResponse(depsOf(ctx), ctx.actor, {
        id: decodeIdOf('CannedResponse', input.id),
      });
      return input.id;
    },
  }),
}));
