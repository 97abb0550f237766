/**
 * JWT claims the platform reads. Only `sub` and `exp` are required.
 *
 * @example
 * const claims: RealtimeClaims = { sub: 'alice', realm: 'demo', permissions: ['client'], exp: 1900000000 };
 */
export interface RealtimeClaims {
  sub?: string;
  exp?: number;
  iat?: number;
  iss?: string;
  aud?: string | string[];
  /** A single granted realm. */
  realm?: string;
  /** Several granted realms; `*` grants all. */
  realms?: string[];
  /** Roles (`admin`, `service`, `client`) and capability strings (`subscribe`, `publish`). */
  permissions?: string[];
  /** Hivekit permissions: realm or `*` → id pattern → letters (C R U D P). */
  per?: Record<string, Record<string, string> | string>;
  /** Hivekit data providers: realm or `*` → object id patterns this connection provides. */
  dpv?: Record<string, string[]>;
  [claim: string]: unknown;
}

/** The realm a token that names none is in. */
export const DEFAULT_REALM = 'default';

/** The wildcard that grants every realm. */
export const ALL_REALMS = '*';

/**
 * The realms a token grants: `realms` or `realm`, plus every realm named as a key of `per`
 * (and `dpv`); `*` stands for all realms. A token naming none grants `default`.
 *
 * @example
 * grantedRealms({ realm: 'demo', per: { other: { '*': 'R' } } }); // ['demo', 'other']
 */
export function grantedRealms(claims: RealtimeClaims): string[] {
  const realms = new Set<string>();
  if (Array.isArray(claims.realms)) for (const realm of claims.realms) realms.add(realm);
  if (typeof claims.realm === 'string') realms.add(claims.realm);
  for (const map of [claims.per, claims.dpv]) {
    if (typeof map === 'object' && map !== null) for (const realm of Object.keys(map)) realms.add(realm);
  }
  if (realms.size === 0) realms.add(DEFAULT_REALM);
  return [...realms];
}

/**
 * The realm a client works in when it names none: the token's only granted realm, or `default`
 * when the token grants several (or all) and the caller must choose.
 *
 * @example
 * defaultRealmOf({ realm: 'demo' }); // 'demo'
 */
export function defaultRealmOf(claims: RealtimeClaims): string | undefined {
  const realms = grantedRealms(claims);
  if (realms.length === 1 && realms[0] !== ALL_REALMS) return realms[0];
  return undefined;
}
