import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLOutputType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/resolvers/schema.js';

/**
 * The relations Prisma joins into one statement: fields declared with `t.relation` or
 * `t.relatedConnection` (Pothos marks them). Up-the-tree relations are resolved with a lookup of their
 * own (src/resolvers/owner-relation.ts) and are not edges here.
 */
function joinedRelations() {
  const edges: { from: string; field: string; to: string; list: boolean }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      if (!field.extensions?.pothosPrismaRelationField) continue;
      const named = getNamedType(field.type);
      // A connection's rows are its edges' nodes.
      const node = isObjectType(named) && named.name.endsWith('Connection') ? nodeTypeOf(named) : named;
      edges.push({
        from: type.name,
        field: field.name,
        to: node?.name ?? named.name,
        list: isList(field.type) || named.name.endsWith('Connection'),
      });
    }
  }
  return edges;
}

function nodeTypeOf(connection: ReturnType<typeof getNamedType>) {
  if (!isObjectType(connection)) return connection;
  const edge = getNamedType(connection.getFields().edges!.type);
  return isObjectType(edge) ? getNamedType(edge.getFields().node!.type) : edge;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** Cycles through at least one list relation: each turn would multiply a joined statement's rows. */
function cyclesThroughLists(edges: ReturnType<typeof joinedRelations>): string[][] {
  const cycles: string[][] = [];
  const outgoing = new Map<string, typeof edges>();
  for (const edge of edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
  const walk = (start: string, at: string, path: typeof edges, seen: Set<string>) => {
    for (const edge of outgoing.get(at) ?? []) {
      if (edge.to === start) {
        const cycle = [...path, edge];
        if (cycle.some((step) => step.list)) cycles.push(cycle.map((step) => `${step.from}.${step.field}`));
      } else if (!seen.has(edge.to)) {
        walk(start, edge.to, [...path, edge], new Set(seen).add(edge.to));
      }
    }
  };
  for (const start of outgoing.keys()) walk(start, start, [], new Set([start]));
  return cycles;
}

describe('the shape of joined reads', () => {
  it('finds the relations Pothos plans into one statement', () => {
    const edges = joinedRelations();
    // The detector must see the relations that are joined: e.g. a conversation's messages.
    expect(edges).toContainEqual({ from: 'Conversation', field: 'messages', to: 'Message', list: true });
    expect(edges.length).toBeGreaterThan(10);
  });

  it('has no cycle of joined relations through a list (each turn would multiply one statement)', () => {
    expect(cyclesThroughLists(joinedRelations())).toEqual([]);
  });

  it('would notice one: a joined back-reference makes a cycle', () => {
    const edges = joinedRelations();
    edges.push({ from: 'Message', field: 'conversation', to: 'Conversation', list: false });
    expect(cyclesThroughLists(edges)).toContainEqual(['Conversation.messages', 'Message.conversation']);
  });
});
