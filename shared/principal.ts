/** A role named in the `permissions` claim. */
export type Role = 'admin' | 'service' | 'client';

/** Permission letters: Create/publish, Read/subscribe/join, Update, Delete, Presence. */
export type PermissionLetter = 'C' | 'R' | 'U' | 'D' | 'P';

/**
 * One permission grant: in `realm` (or `*`), resource ids matching `pattern` get `letters`.
 *
 * @example
 * const grant: PermissionGrant = { realm: 'london', pattern: 'object/riders/*', letters: 'R' };
 */
export interface PermissionGrant {
  realm: string;
  pattern: string;
  letters: string;
}

/**
 * The verified identity behind a connection or a REST call, derived once from the token's claims.
 *
 * @example
 * principal.userId; // 'alice'
 * principal.realms; // ['london', 'paris'] for { realm: 'london', per: { paris: { 'doc/notes/x': 'R' } } }
 * principal.roleRealms; // ['london']
 */
export interface Principal {
  /** The token's `sub`. */
  userId: string;
  /**
   * Granted realms (access): `realm` / `realms` and the realm keys of `per`, or `default` when the
   * token names none; contains `*` when every realm is granted.
   */
  realms: string[];
  /**
   * The granted realms in which {@link roles} and {@link capabilities} apply: those of `realm` /
   * `realms` (`*`: all), or `default` for a token naming no realm. Elsewhere only `per` grants apply.
   */
  roleRealms: string[];
  /** The realm used when a request names none (see `defaultRealmOf`). */
  defaultRealm?: string;
  /** Roles from `permissions`, in {@link roleRealms} only. */
  roles: Role[];
  /** Capability strings from `permissions` other than roles (`subscribe`, `publish`, ...), in {@link roleRealms} only. */
  capabilities: string[];
  /** Grants from the `per` claim. */
  grants: PermissionGrant[];
  /**
   * Data-provider patterns from the `dpv` claim: realm or `*` → object id patterns. Read it with
   * `Object.hasOwn` (a realm may be named `__proto__`); entries apply only in granted realms.
   */
  dataProviders: Record<string, string[]>;
  /** Token expiry, Unix milliseconds. */
  expiresAt: number;
}
