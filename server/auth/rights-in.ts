import { ALL_REALMS, isValidRealm, type Principal, type Role } from '../../shared/index.js';

/**
 * What a principal's `permissions` claim gives it in one realm: its roles and capability strings,
 * or nothing. (`per` grants are separate: they apply in their own realm, or in every granted realm
 * for a `*` key.)
 *
 * @example
 * const { roles } = rightsIn(principal, 'london');
 */
export interface RealmRights {
  readonly roles: readonly Role[];
  readonly capabilities: readonly string[];
}

const NO_RIGHTS: RealmRights = Object.freeze({ roles: Object.freeze([]), capabilities: Object.freeze([]) });

/**
 * The roles and capability strings that apply in `realm`: the principal's own in its role realms
 * (`realm` / `realms` of the token, `*` for all, `default` for a token naming no realm), none in a
 * realm granted only by a `per` key, nor in a realm that is not granted (or not a realm id, as `*`).
 *
 * Why this exists: a token that is `admin` of london and names paris only to read one document there
 * (`per: { paris: { 'doc/notes/x': 'R' } }`) must not be admin of paris. Every check of roles asks
 * here, so roles never leak into realms the token names for its `per` grants alone.
 *
 * @example
 * const principal = principalFromClaims({ sub: 'a', exp, realm: 'london', permissions: ['admin'], per: { paris: 'R' } });
 * rightsIn(principal, 'london').roles; // ['admin']
 * rightsIn(principal, 'paris').roles; // []
 */
export function rightsIn(principal: Principal, realm: string): RealmRights {
  if (!isValidRealm(realm)) return NO_RIGHTS;
  const { roleRealms } = principal;
  if (!roleRealms.includes(realm) && !roleRealms.includes(ALL_REALMS)) return NO_RIGHTS;
  return { roles: principal.roles, capabilities: principal.capabilities };
}
