import { SignJWT } from 'jose';
import type { TestClaims } from '../../support/test-server.js';

/** The two realms every fuzzer works in (plus names no token grants). */
export const REALMS = ['london', 'paris'] as const;

/**
 * The token shapes the fuzzers connect and call with: every role, capability strings, Hivekit
 * `per` and `dpv` claims (including the `*` keys that used to widen realms), across two realms.
 * Each has its own user, so that `auth:refresh` with another user's token is refused.
 */
export const FUZZ_PRINCIPALS = {
  client: { sub: 'fz-client', realm: 'london', permissions: ['client'] },
  service: { sub: 'fz-service', realms: ['london', 'paris'], permissions: ['service'] },
  admin: { sub: 'fz-admin', realm: 'paris', permissions: ['admin'] },
  root: { sub: 'fz-root', realms: ['*'], permissions: ['admin'] },
  per: {
    sub: 'fz-per',
    realm: 'london',
    per: { london: { 'doc/notes/*': 'RU', 'topic/chat.*': 'CR', 'channel/room-*': 'RCP', 'object/riders/*': 'P' }, paris: { 'doc/notes/shared': 'R' } },
  },
  perWildcard: { sub: 'fz-perstar', realm: 'paris', per: { '*': { 'topic/*': 'CR', 'doc/*': 'CRUD' } } },
  provider: { sub: 'fz-provider', realm: 'london', permissions: ['client'], dpv: { london: ['riders/*'] } },
  providerWildcard: { sub: 'fz-dpvstar', realm: 'paris', dpv: { '*': ['riders/*', 'vans/7'] } },
  capabilities: { sub: 'fz-caps', realm: 'paris', permissions: ['subscribe', 'publish'] },
  bare: { sub: 'fz-bare' },
} as const satisfies Record<string, TestClaims>;

export type FuzzPrincipalName = keyof typeof FUZZ_PRINCIPALS;

export const FUZZ_PRINCIPAL_NAMES = Object.keys(FUZZ_PRINCIPALS) as FuzzPrincipalName[];

/**
 * Tokens that must be refused: expired, not yet valid, signed with another secret, `alg: none`,
 * truncated, or not JWTs at all.
 *
 * @example
 * const bad = await refusedTokens(secret, validToken);
 */
export async function refusedTokens(secret: string, valid: string): Promise<string[]> {
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ realm: 'london' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('fz-client')
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(key);
  const notYet = await new SignJWT({ realm: 'london' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('fz-client')
    .setNotBefore(now + 3600)
    .setExpirationTime(now + 7200)
    .sign(key);
  const otherSecret = await new SignJWT({ realm: 'london', permissions: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('fz-client')
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode('x'.repeat(32)));
  const noSub = await new SignJWT({ realm: 'london' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(now + 3600)
    .sign(key);
  const [header, payload] = valid.split('.');
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload ?? ''}.`;
  return [expired, notYet, otherSecret, noSub, none, `${header ?? ''}.${payload ?? ''}`, valid.slice(0, -3), `${valid}x`, 'not-a-jwt', 'a.b.c', ''];
}
