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
 */
export interface Principal {
  /** The token's `sub`. */
  userId: string;
  /** Granted realms; contains `*` when every realm is granted. */
  realms: string[];
  /** The realm used when a request names none, if the token grants exactly one. */
  defaultRealm?: string;
  roles: Role[];
  /** Capability strings from `permissions` other than roles (`subscribe`, `publish`, ...). */
  capabilities: string[];
  /** Grants from the `per` claim. */
  grants: PermissionGrant[];
  /** Data-provider patterns from the `dpv` claim: realm or `*` → object id patterns. */
  dataProviders: Record<string, string[]>;
  /** Token expiry, Unix milliseconds. */
  expiresAt: number;
}
