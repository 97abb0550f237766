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
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are judged by their IPv4 address. Anything that
 * is not an IP address counts as private (refused).
 *
 * @example
 * isPrivateAddress('10.1.2.3'); // true
 * isPrivateAddress('93.184.215.14'); // false
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return true;
  return blocked.check(bare, family === 4 ? 'ipv4' : 'ipv6');
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
