import { resolveNodes } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from './builder.js';
import { tryDecodeGlobalId } from '../kernel/global-id.js';

/** The most ids one `nodes` call may look up. */
export const MAX_NODE_IDS = 100;

// Relay's own `nodes` fails as a whole on one malformed id; here a bad entry is null like an unknown one.
builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `Up to ${MAX_NODE_IDS} objects by id, in order; null for an id that is malformed, unknown or not yours.`,
    args: { ids: t.arg.idList({ validate: z.array(z.string()).max(MAX_NODE_IDS) }) },
    // Each id is a lookup of its own.
    complexity: (args) => ({ field: 1, multiplier: Math.min(args.ids.length, MAX_NODE_IDS) }),
    resolve: (_root, { ids }, ctx, info) => resolveNodes(builder, ctx, info, ids.map(tryDecodeGlobalId)),
  }),
);
