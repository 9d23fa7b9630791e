import { createHash } from 'node:crypto';
import type { Permission } from '../auth/permissions.js';
import type { Context } from '../graphql/context.js';
import { authorizedStream } from '../realtime/authorized-stream.js';
import { topic, type Scope, type TopicEvents, type TopicName } from '../realtime/topics.js';
import { subscriptionScope, type ScopeArgs } from '../services/subscription-scope.js';
import { decodeIdOf } from '../kernel/global-id.js';

/** Decodes the optional global ids a subscription takes to raw ids. */
export function scopeArgsOf(args: {
  organizationId?: string | null;
  appServiceId?: string | null;
  conversationId?: string | null;
}): ScopeArgs {
  return {
    organizationId: args.organizationId ? decodeIdOf('Organization', args.organizationId) : null,
    appServiceId: args.appServiceId ? decodeIdOf('AppService', args.appServiceId) : null,
    conversationId: args.conversationId ? decodeIdOf('Conversation', args.conversationId) : null,
  };
}

/**
 * Checks the subscriber may listen to the scope asked for, then streams that topic's events, each
 * re-checked against the subscriber's current permissions before delivery.
 */
export async function subscribeTo<N extends TopicName>(
  ctx: Context,
  name: N,
  args: ScopeArgs,
  options: {
    permissions: Permission[];
    scopes: Scope[];
    /** Extra per-event rule (e.g. integrators never receive private notes). */
    accept?: (event: TopicEvents[N]) => boolean;
  },
) {
  const { scope, id, organizationId } = await subscriptionScope(
    ctx.db.prisma,
    ctx.actor,
    args,
    options.permissions,
    options.scopes,
  );
  // Listening before the field returns: once the subscription is set up, no event is missed.
  const source = await ctx.bus.listen<TopicEvents[N]>(topic(name, scope, id));
  const { actor, credentialWatch } = ctx;
  return authorizedStream<TopicEvents[N]>(source, {
    guard: ctx.actorGuard,
    mayReceive: (_actor, event) => options.accept?.(event) ?? true,
    stillEntitled: (current) =>
      options.permissions.some((permission) => current.can(organizationId, permission)),
    ...(credentialWatch
      ? {
          watchCredentials: (onChange: () => void) =>
            credentialWatch.watch(
              { sessionId: actor.sessionId, apiKeyId: actor.apiKey?.id, userId: actor.user?.id },
              onChange,
            ),
        }
      : {}),
  });
}

/** The key under which subscribers with the same selection share one event's lookup. */
export function sharedKey(eventId: string, query: unknown): string {
  return `${eventId}:${createHash('sha1').update(JSON.stringify(query)).digest('base64url')}`;
}
