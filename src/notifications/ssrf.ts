// Outgoing webhooks go to URLs that tenants choose, so they must never reach this machine, the private
// network or the cloud metadata service (server-side request forgery). Checked when an endpoint is saved
// and again at every delivery, where the addresses are checked at connect time too (DNS rebinding).
import dns, { type LookupAddress } from 'node:dns';
import net, { type LookupFunction } from 'node:net';

/** A URL or address that a webhook may not be sent to; the message says why. */
export class UnsafeUrlError extends Error {
  override name = 'UnsafeUrlError';
}

export interface UrlPolicy {
  /** Development only (WEBHOOKS_ALLOW_PRIVATE): skip the address checks, keep the scheme check. */
  allowPrivate: boolean;
  /** Resolves a host name to all of its addresses; dns.lookup by default. */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
}

const defaultLookup = (hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * Refuses non-http(s) URLs and, unless `allowPrivate`, hosts that are or resolve to (any of their
 * addresses) loopback, private, link-local, CGNAT, multicast, unspecified or otherwise non-public
 * addresses. Returns the parsed URL.
 */
export async function assertPublicUrl(url: string, policy: UrlPolicy): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeUrlError('is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UnsafeUrlError(`must use http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (policy.allowPrivate) return parsed;
  const host = hostOf(parsed);
  if (net.isIP(host)) {
    assertPublicAddress(host);
    return parsed;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await (policy.lookup ?? defaultLookup)(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnsafeUrlError(`host ${host} could not be resolved${code ? ` (${code})` : ''}`);
  }
  if (addresses.length === 0) throw new UnsafeUrlError(`host ${host} has no address`);
  for (const { address } of addresses) assertPublicAddress(address, host);
  return parsed;
}

/** The URL's host without IPv6 brackets (URL keeps them: "[::1]"). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function assertPublicAddress(address: string, host?: string): void {
  const reason = nonPublicReason(address);
  if (reason) {
    throw new UnsafeUrlError(
      host
        ? `host ${host} resolves to a ${reason} address (${address})`
        : `points to a ${reason} address (${address})`,
    );
  }
}

/**
 * A dns lookup for http.request that refuses non-public addresses at connect time, so a host that
 * resolved to a public address when checked cannot switch to an internal one for the connection.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      if (reason) {
        return callback(
          new UnsafeUrlError(`host ${hostname} resolves to a ${reason} address (${address})`),
          '',
        );
      }
    }
    const [first] = addresses;
    if (!first) return callback(new UnsafeUrlError(`host ${hostname} has no address`), '');
    if (options.all) return callback(null, addresses);
    return callback(null, first.address, first.family);
  });
};

// --- Address classification -------------------------------------------------------------------------

/** [first address, prefix length, what it is]; everything outside these is public. */
const ipv4Ranges: [string, number, string][] = [
  ['169.254.169.254', 32, 'cloud metadata'],
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const ipv4Blocks = ipv4Ranges.map(([base, prefix, label]) => ({
  base: ipv4ToInt(base),
  mask: prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0,
  label,
}));

/** Why an address is not public (e.g. "loopback"), or null when it is public. */
export function nonPublicReason(address: string): string | null {
  const version = net.isIP(address.replace(/%.*$/, ''));
  if (version === 4) return ipv4Reason(ipv4ToInt(address));
  if (version === 6) return ipv6Reason(parseIpv6(address));
  return 'invalid';
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0);
}

function ipv4Reason(value: number): string | null {
  for (const block of ipv4Blocks) if ((value & block.mask) >>> 0 === block.base) return block.label;
  return null;
}

/** Eight 16-bit groups; the zone (%eth0) is dropped and a dotted IPv4 tail becomes two groups. */
function parseIpv6(address: string): number[] {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = ipv4ToInt(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => Number.parseInt(group, 16));
}

function ipv6Reason(groups: number[]): string | null {
  const g = (index: number) => groups[index] ?? 0;
  const embeddedV4 = (high: number, low: number) => ((g(high) << 16) | g(low)) >>> 0;
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g(7) === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 rules apply.
  if (zeroUpTo(5) && g(5) === 0xffff) return ipv4Reason(embeddedV4(6, 7));
  // IPv4-compatible (::a.b.c.d), deprecated: never a legitimate webhook target.
  if (zeroUpTo(6)) return 'reserved';
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach an IPv4 address: its rules apply.
  if (g(0) === 0x64 && g(1) === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) {
    return ipv4Reason(embeddedV4(6, 7));
  }
  if (g(0) === 0x2002) return ipv4Reason(embeddedV4(1, 2));
  if ((g(0) & 0xfe00) === 0xfc00) return 'private (unique local)';
  if ((g(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((g(0) & 0xffc0) === 0xfec0) return 'site-local';
  if ((g(0) & 0xff00) === 0xff00) return 'multicast';
  if (g(0) === 0x2001 && g(1) === 0x0db8) return 'documentation';
  if (g(0) === 0x0100 && g(1) === 0 && g(2) === 0 && g(3) === 0) return 'discard';
  return null;
}
