import type { Principal } from '../../shared/index.js';

/** The parts of a principal that many tokens have alike: everything but the user and the expiry. */
type PermissionParts = Pick<Principal, 'realms' | 'roleRealms' | 'roles' | 'capabilities' | 'grants' | 'dataProviders'>;

/** Distinct permission sets kept. */
const DEFAULT_MAX_ENTRIES = 1_000;

/**
 * Lets principals whose tokens grant the same permissions share one frozen copy of them (realms,
 * role realms, roles, capabilities, `per` grants, `dpv` patterns): a principal then owns only its
 * user id and expiry.
 *
 * Why this exists: every connection keeps its principal in `socket.data` for as long as it is
 * open, and a backend signs the same few permission sets for thousands of users; a copy each was
 * ~500 bytes of every idle connection. The copies are frozen, so a shared one cannot be changed
 * through one connection for the others (nothing changes a principal's permissions in place: a
 * refresh replaces the whole principal). The cache is bounded (`maxEntries`, least recently used
 * first out); a permission set that fell out is simply copied again.
 *
 * @example
 * const shared = new SharedPermissions();
 * const principal = shared.share(principalFromClaims(claims));
 */
export class SharedPermissions {
  private readonly byKey = new Map<string, PermissionParts>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** `principal` with its permissions replaced by the shared, frozen copy of equal ones. */
  share(principal: Principal): Principal {
    const { userId, realms, roleRealms, roles, capabilities, grants, dataProviders, expiresAt, defaultRealm } = principal;
    const key = JSON.stringify([realms, roleRealms, roles, capabilities, grants, Object.entries(dataProviders)]);
    let parts = this.byKey.get(key);
    if (parts === undefined) {
      parts = freezeParts({ realms, roleRealms, roles, capabilities, grants, dataProviders });
      if (this.byKey.size >= this.maxEntries) {
        const oldest = this.byKey.keys().next();
        if (oldest.done !== true) this.byKey.delete(oldest.value);
      }
    } else {
      this.byKey.delete(key);
    }
    this.byKey.set(key, parts);
    const shared: Principal = {
      userId,
      realms: parts.realms,
      roleRealms: parts.roleRealms,
      roles: parts.roles,
      capabilities: parts.capabilities,
      grants: parts.grants,
      dataProviders: parts.dataProviders,
      expiresAt,
    };
    if (defaultRealm !== undefined) shared.defaultRealm = defaultRealm;
    return shared;
  }
}

function freezeParts(parts: PermissionParts): PermissionParts {
  // Object.fromEntries defines own properties, so a realm named `__proto__` stays an ordinary key.
  const providers = Object.fromEntries(Object.entries(parts.dataProviders).map(([realm, patterns]) => [realm, Object.freeze([...patterns]) as string[]]));
  // Frozen as the mutable types the Principal interface declares: writes throw (ES modules are strict).
  return {
    realms: Object.freeze([...parts.realms]) as string[],
    roleRealms: Object.freeze([...parts.roleRealms]) as string[],
    roles: Object.freeze([...parts.roles]) as Principal['roles'],
    capabilities: Object.freeze([...parts.capabilities]) as string[],
    grants: Object.freeze(parts.grants.map((grant) => Object.freeze({ ...grant }))) as Principal['grants'],
    dataProviders: Object.freeze(providers),
  };
}
