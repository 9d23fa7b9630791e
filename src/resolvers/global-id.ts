import { badInput } from '../services/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque global ids: base64url of "Type:uuid". */
export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${String(id)}`).toString('base64url');
}

/** Refuses malformed ids with BAD_USER_INPUT, so no query ever runs with one. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = globalId.length <= 200 ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator <= 0 || !/^[A-Za-z]+$/.test(typename) || !UUID.test(id)) {
    throw badInput(`"${globalId.slice(0, 60)}" is not a valid id.`);
  }
  return { typename, id: id.toLowerCase() };
}

/** Decodes an id that must be of one type (e.g. an input's organizationId). */
export function decodeIdOf(typename: string, globalId: string): string {
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== typename) throw badInput(`Expected an id of a ${typename}.`);
  return decoded.id;
}
