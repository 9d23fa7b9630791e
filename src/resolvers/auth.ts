import * as identity from '../services/identity.js';
import { emailSchema, nameSchema, passwordSchema, limits } from '../services/validation.js';
import { z } from 'zod';
import { builder } from './builder.js';
import { depsOf } from './deps.js';
import { UserNode } from './user.js';

const AuthPayload = builder.objectRef<identity.AuthResult>('AuthPayload').implement({
  description: 'A session token to send as `Authorization: Bearer <token>`, and the user.',
  fields: (t) => ({
    token: t.exposeString('token'),
    // Loaded by id here: the request itself was anonymous, so the node's tenancy filter would hide it.
    user: t.prismaField({
      type: UserNode,
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.user.findUniqueOrThrow({ ...query, where: { id: payload.user.id } }),
    }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ validate: emailSchema }),
    password: t.string({ validate: passwordSchema }),
    name: t.string({ validate: nameSchema }),
  }),
});

const LogInInput = builder.inputType('LogInInput', {
  fields: (t) => ({
    email: t.string({ validate: emailSchema }),
    password: t.string({ validate: z.string().min(1).max(limits.passwordMax) }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    description: 'Creates an account (password: at least 10 characters) and signs in.',
    args: { input: t.arg({ type: SignUpInput }) },
    resolve: (_root, { input }, ctx) => identity.signUp(depsOf(ctx), input, { address: ctx.clientAddress }),
  }),
  logIn: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: LogInInput }) },
    resolve: (_root, { input }, ctx) => identity.logIn(depsOf(ctx), input, { address: ctx.clientAddress }),
  }),
  logOut: t.boolean({
    description: 'Ends the current session; its token stops working at once.',
    authScopes: { user: true },
    resolve: (_root, _args, ctx) => identity.logOut(depsOf(ctx), ctx.actor),
  }),
}));
