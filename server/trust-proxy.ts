import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of the server are trusted to report the client's address
 * (`ALDERO_TRUST_PROXY`), and the client address that follows. `X-Forwarded-For` is a list each
 * proxy appends to; its left-most entries are whatever the client wrote, so the client is the
 * address the last trusted hop saw — never the first entry.
 *
 * - `N` (a whole number; `on`/`true` mean 1): the N proxies nearest the server are trusted; the
 *   client is the N-th entry from the right.
 * - a list of addresses/CIDRs (`10.0.0.0/8, 2001:db8::/32`): hops are trusted while their address
 *   is listed, walking from the socket's address leftwards; the first unlisted one is the client.
 */
export type TrustedProxies = { hops: number } | { addresses: string[] };

const TRUE = ['true', 'on', 'yes'];
const FALSE = ['false', 'off', 'no'];

/** Parses `ALDERO_TRUST_PROXY`; null when nothing is trusted, a message when the value is not one of the forms. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies | null | { error: string } {
  if (value === undefined) return null;
  const text = value.trim().toLowerCase();
  if (text === '' || FALSE.includes(text)) return null;
  if (TRUE.includes(text)) return { hops: 1 };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 32) return { error: 'at most 32 hops' };
    return hops === 0 ? null : { hops };
  }
  const addresses = text.split(',').map((part) => part.trim()).filter(Boolean);
  for (const address of addresses) {
    const [ip, bits, extra] = address.split('/');
    const family = isIP(ip ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits))) {
      return { error: `"${address.slice(0, 64)}" is not an IP address or CIDR` };
    }
  }
  return addresses.length > 0 ? { addresses } : null;
}

function blockListOf(addresses: string[]): BlockList {
  const list = new BlockList();
  for (const address of addresses) {
    const [ip, bits] = address.split('/') as [string, string | undefined];
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  return list;
}

const lists = new WeakMap<{ addresses: string[] }, BlockList>();

function listed(trusted: { addresses: string[] }, address: string): boolean {
  let list = lists.get(trusted);
  if (!list) lists.set(trusted, (list = blockListOf(trusted.addresses)));
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: the socket's when no proxy is trusted; otherwise read from the right of
 * `X-Forwarded-For` (all its headers, in order) as far as the trust goes. When the list is
 * shorter than the trusted hops, its left-most entry (what the first proxy saw) is the client.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies | null): string {
  const socket = socketAddress ?? 'unknown';
  if (!trusted) return socket;
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Every address the request passed, nearest last: the client's claims, each proxy's view, the socket.
  const chain = [...forwarded, socket];
  if ('hops' in trusted) return chain[Math.max(0, chain.length - 1 - trusted.hops)]!;
  let index = chain.length - 1;
  while (index > 0 && listed(trusted, chain[index]!)) index--;
  return chain[index]!;
}
