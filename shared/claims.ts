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
  /** A single granted realm; `*` grants all. */
  realm?: string;
  /** Several granted realms; `*` grants all. */
  realms?: string[];
  /**
   * Roles (`admin`, `service`, `client`) and capability strings (`subscribe`, `publish`); they apply
   * in the realms of `realm` / `realms` only (in `default` for a token naming no realm).
   */
  permissions?: string[];
  /**
   * Hivekit permissions: realm or `*` → id pattern → letters (C R U D P). A realm key grants that
   * realm (with these grants only); `*` means "in every realm this token may use" and grants none.
   */
  per?: Record<string, Record<string, string> | string>;
  /**
   * Hivekit data providers: realm or `*` → object id patterns this connection provides. Never
   * grants a realm: entries apply in realms the token grants otherwise, `*` in each of them.
   */
  dpv?: Record<string, string[]>;
  [claim: string]: unknown;
}

/** The realm a token that names none is in. */
export const DEFAULT_REALM = 'default';

/** The wildcard that grants every realm. */
export const ALL_REALMS = '*';

/**
 * The realms a token grants access to: those of `realm` and `realms`, plus every realm named as a
 * key of `per`. All realms only through an explicit `*` in `realm` or `realms`; a `*` key of `per`
 * and the keys of `dpv` grant no realm. A token naming no realm grants `default`.
 * In a realm granted only by a `per` key, the token has only its `per` grants ({@link roleRealmsOf}).
 *
 * @example
 * grantedRealms({ realm: 'demo', per: { other: { '*': 'R' } } }); // ['demo', 'other']
 * grantedRealms({ realm: 'demo', dpv: { '*': ['riders/*'] } }); // ['demo']
 */
export function grantedRealms(claims: RealtimeClaims): string[] {
  const realms = new Set([...namedRealms(claims), ...perRealms(claims)]);
  if (realms.size === 0) realms.add(DEFAULT_REALM);
  return [...realms];
}

/**
 * The realms in which a token's `permissions` (roles and capability strings) apply: those of
 * `realm` and `realms` (`*`: all), or `default` when the token names no realm at all. A token that
 * names realms only as `per` keys has its roles nowhere (only its `per` grants, where they apply).
 *
 * @example
 * roleRealmsOf({ realm: 'london', per: { paris: { 'doc/notes/x': 'R' } } }); // ['london']
 * roleRealmsOf({ permissions: ['service'] }); // ['default']
 */
export function roleRealmsOf(claims: RealtimeClaims): string[] {
  const named = namedRealms(claims);
  if (named.length > 0) return named;
  return perRealms(claims).length === 0 ? [DEFAULT_REALM] : [];
}

/**
 * The realm a client works in when it names none: the only realm of `realm` / `realms`; for a token
 * with neither, its only granted realm (the only `per` realm, or `default` when it names none).
 * Undefined when that leaves several realms (or all), and the caller must choose.
 *
 * @example
 * defaultRealmOf({ realm: 'demo' }); // 'demo'
 * defaultRealmOf({ realm: 'london', per: { paris: 'R' } }); // 'london'
 * defaultRealmOf({ realms: ['a', 'b'] }); // undefined
 */
export function defaultRealmOf(claims: RealtimeClaims): string | undefined {
  const named = namedRealms(claims);
  const realms = named.length > 0 ? named : grantedRealms(claims);
  if (realms.length === 1 && realms[0] !== ALL_REALMS) return realms[0];
  return undefined;
}

/** The realms of the `realms` and `realm` claims (strings only: unverified claims may be anything). */
function namedRealms(claims: RealtimeClaims): string[] {
  const realms = new Set<string>();
  if (Array.isArray(claims.realms)) for (const realm of claims.realms) if (typeof realm === 'string') realms.add(realm);
  if (typeof claims.realm === 'string') realms.add(claims.realm);
  return [...realms];
}

/** The realm keys of `per`, without `*` (which means "in every realm the token may use"). */
function perRealms(claims: RealtimeClaims): string[] {
  const { per } = claims;
  if (typeof per !== 'object' || per === null || Array.isArray(per)) return [];
  return Object.keys(per).filter((realm) => realm !== ALL_REALMS);
}
