import type { Context } from '../graphql/context.js';
import type { ServiceDeps } from '../services/deps.js';

/** What resolvers hand to services. */
export const depsOf = (ctx: Context): ServiceDeps => ctx.deps;
