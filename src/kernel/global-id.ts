import { badInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The types an id can name (those implementing Node), set once the schema is built (resolvers/schema.ts). */
const nodeTypes = new Set<string>();

export function registerNodeTypes(names: Iterable<string>): void {
  for (const name of names) nodeTypes.add(name);
}

/** Opaque global ids: base64url of "Type:uuid". */
export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${String(id)}`).toString('base64url');
}

/** Refuses malformed ids, and ids of types that are not nodes, with BAD_USER_INPUT, so no query ever runs with one. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = globalId.length <= 200 ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (
    separator <= 0 ||
    !/^[A-Za-z]+$/.test(typename) ||
    !UUID.test(id) ||
    (nodeTypes.size > 0 && !nodeTypes.has(typename))
  ) {
    throw badInput(`"${globalId.slice(0, 60)}" is not a valid id.`);
  }
  return { typename, id: id.toLowerCase() };
}

/** The decoded id, or null when it is not a valid one (lists of ids that answer null per bad entry). */
export function tryDecodeGlobalId(globalId: string): { typename: string; id: string } | null {
  try {
    return decodeGlobalId(globalId);
  } catch {
    return null;
  }
}

/** Decodes an id that must be of one type (e.g. an input's organizationId). */
export function decodeIdOf(typename: string, globalId: string): string {
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== typename) throw badInput(`Expected an id of a ${typename}.`);
  return decoded.id;
}
