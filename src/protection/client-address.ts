import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, for rate limits and logs. X-Forwarded-For is believed only for the
 * `trustedHops` proxies nearest to us (TRUST_PROXY): each appends the address it saw, so the client is
 * the entry that many places from the right; anything further left could have been written by the client.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | null | undefined,
  trustedHops: number,
): string {
  const direct = normalize(socketAddress) ?? 'unknown';
  if (trustedHops <= 0 || !forwardedFor) return direct;
  const chain = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .slice(-50);
  const addresses = [...chain, direct];
  return normalize(addresses[Math.max(0, addresses.length - 1 - trustedHops)]) ?? direct;
}

/** The address of a Node request (HTTP or the WebSocket upgrade). */
export function addressOfRequest(request: IncomingMessage | undefined, trustedHops: number): string {
  const header = request?.headers['x-forwarded-for'];
  return clientAddress(
    request?.socket.remoteAddress,
    Array.isArray(header) ? header.join(',') : header,
    trustedHops,
  );
}

function normalize(address: string | undefined): string | undefined {
  if (!address) return undefined;
  // IPv4 seen through an IPv6 socket.
  const trimmed = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '').slice(0, 64);
  return trimmed || undefined;
}
