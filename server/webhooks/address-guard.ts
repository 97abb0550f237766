/**
 * Keeps webhook requests away from internal services (server-side request forgery): an endpoint
 * URL may name anything, so without a check the server could be made to POST to loopback, the
 * private network or a cloud metadata address.
 *
 * Why the check sits in the connection's DNS lookup: checking a host name once (at creation) and
 * connecting later leaves a window where the name can be re-pointed at an internal address (DNS
 * rebinding). {@link guardedLookup} resolves the name itself, drops every private address, and
 * hands the socket only what it vetted, so the address checked is the address connected to. Host
 * names that are IP literals never reach a lookup and are checked by {@link isPrivateAddress}
 * before the request. Redirects are never followed (see `WebhookSender`).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { InvalidArgumentError } from '../../shared/index.js';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds IPv4)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether an IP address is loopback, private, link-local or otherwise not on the public internet.
 * IPv6 addresses that embed an IPv4 address are judged by it as well (see
 * {@link embeddedIpv4Addresses}): `::ffff:127.0.0.1`, `::127.0.0.1`, `::ffff:0:127.0.0.1`, 6to4
 * `2002:7f00:1::` and Teredo all count as loopback. Anything that is not an IP address counts as
 * private (refused).
 *
 * @example
 * isPrivateAddress('10.1.2.3'); // true
 * isPrivateAddress('2002:a00:1::'); // true (6to4 of 10.0.0.1)
 * isPrivateAddress('93.184.215.14'); // false
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return true;
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (blocked.check(bare, 'ipv6')) return true;
  return embeddedIpv4Addresses(bare).some((ipv4) => blocked.check(ipv4, 'ipv4'));
}

/**
 * The IPv4 addresses an IPv6 address carries, which a packet to it may end up at: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated by RFC 4291), IPv4-translated
 * (`::ffff:0:a.b.c.d`, RFC 2765), NAT64 (`64:ff9b::/96`, RFC 6052), 6to4 (`2002::/16`, RFC 3056)
 * and Teredo (`2001:0::/32`, RFC 4380: the server address, and the client address stored with its
 * bits inverted). Empty for every other address.
 *
 * @example
 * embeddedIpv4Addresses('2002:7f00:1::'); // ['127.0.0.1']
 * embeddedIpv4Addresses('2001:0:4136:e378:8000:63bf:80ff:fffe'); // ['65.54.227.120', '127.0.0.1']
 */
export function embeddedIpv4Addresses(ipv6: string): string[] {
  const groups = ipv6Groups(ipv6);
  if (groups === undefined) return [];
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const ipv4 = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeroTo = (end: number): boolean => groups.slice(0, end).every((group) => group === 0);
  if (zeroTo(5) && (g5 === 0 || g5 === 0xffff)) return [ipv4(g6, g7)]; // compatible, mapped
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return [ipv4(g6, g7)]; // translated
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return [ipv4(g6, g7)]; // NAT64
  if (g0 === 0x2002) return [ipv4(g1, g2)]; // 6to4
  if (g0 === 0x2001 && g1 === 0) return [ipv4(g2, g3), ipv4(~g6 & 0xffff, ~g7 & 0xffff)]; // Teredo
  return [];
}

/** The eight 16-bit groups of a valid IPv6 address (a zone id and a trailing dotted quad allowed). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    if (octets.length !== 4 || octets.some((octet) => !(Number.isInteger(octet) && octet >= 0 && octet <= 255))) return undefined;
    const [a, b, c, d] = octets as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] => (part === undefined || part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (missing < 0) return undefined;
  const groups = halves.length === 2 ? [...head, ...new Array<number>(missing).fill(0), ...rest] : head;
  if (groups.length !== 8 || groups.some((group) => !(group >= 0 && group <= 0xffff))) return undefined;
  return groups;
}

/**
 * Whether a URL host name is private by itself, without a DNS lookup: a private IP literal, or
 * `localhost` and its subdomains.
 *
 * @example
 * isPrivateHostName('localhost'); // true
 * isPrivateHostName('[::1]'); // true
 * isPrivateHostName('example.com'); // false (its addresses are checked when connecting)
 */
export function isPrivateHostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) !== 0 && isPrivateAddress(bare);
}

/**
 * The error a refused address produces (its message goes to the delivery's `lastError`).
 *
 * @example
 * if (err instanceof PrivateAddressError) markRefused();
 */
export class PrivateAddressError extends Error {
  override readonly name = 'PrivateAddressError';
  readonly code = 'EPRIVATEADDRESS';
  constructor(hostname: string) {
    super(`refused: ${hostname} resolves only to private or loopback addresses (WEBHOOKS_ALLOW_PRIVATE_NETWORKS is off)`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request` / `net.connect` that resolves a host name and keeps only public
 * addresses (all addresses when `allowPrivateNetworks`); fails with {@link PrivateAddressError}
 * when none is left. Works with `all: true` (Happy Eyeballs) and without.
 *
 * @example
 * http.request(url, { lookup: guardedLookup(false) });
 */
export function guardedLookup(allowPrivateNetworks: boolean) {
  return (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void => {
    const family = options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : typeof options.family === 'number' ? options.family : 0;
    dnsLookup(hostname, { family, all: true }, (err, addresses) => {
      if (err !== null) {
        callback(err, options.all === true ? [] : '');
        return;
      }
      const allowed = allowPrivateNetworks ? addresses : addresses.filter(({ address }) => !isPrivateAddress(address));
      const first = allowed[0];
      if (first === undefined) {
        callback(new PrivateAddressError(hostname), options.all === true ? [] : '');
        return;
      }
      if (options.all === true) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * Resolves a host name and tells whether every address it has is private (`true`), some are
 * public (`false`), or it could not be resolved now (`undefined`, decided again at delivery).
 *
 * @example
 * if (await resolvesOnlyToPrivate('internal.corp')) throw invalidUrl();
 */
export function resolvesOnlyToPrivate(hostname: string, timeoutMs = 2000): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref();
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err !== null || addresses.length === 0) resolve(undefined);
      else resolve(addresses.every(({ address }) => isPrivateAddress(address)));
    });
  });
}

/**
 * Refuses an endpoint URL whose host is loopback, private or link-local (a literal address,
 * `localhost`, or a name that resolves only to such addresses), unless private networks are
 * allowed. A name that cannot be resolved now passes: every connection is checked again by
 * {@link guardedLookup}.
 *
 * @throws InvalidArgumentError with `details.issues: [{ path: 'url', message }]`.
 * @example
 * await assertPublicUrl('http://10.0.0.5/hook', false); // throws
 */
export async function assertPublicUrl(url: string, allowPrivateNetworks: boolean): Promise<void> {
  if (allowPrivateNetworks) return;
  const { hostname } = new URL(url);
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isPrivateHostName(hostname) || (await resolvesOnlyToPrivate(bare)) === true) {
    const message = `url points to a private, loopback or link-local address (${hostname}); set WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true to allow it`;
    throw new InvalidArgumentError(`Invalid webhook: url: ${message}`, { details: { issues: [{ path: 'url', message }] } });
  }
}
