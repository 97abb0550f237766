import {
  ALL_REALMS,
  AuthError,
  ErrorCode,
  defaultRealmOf,
  grantedRealms,
  isValidRealm,
  isWellFormedText,
  roleRealmsOf,
  type PermissionGrant,
  type Principal,
  type RealtimeClaims,
  type Role,
} from '../../shared/index.js';

/** Longest `sub` accepted. */
const MAX_SUBJECT_LENGTH = 256;

/** Longest id pattern accepted as a key of a `per` realm map or an entry of `dpv`. */
const MAX_PATTERN_LENGTH = 512;

/** Letters a `per` grant may carry (C R U D P); an empty string grants nothing. */
const LETTERS_PATTERN = /^[CRUDP]*$/;

const ROLES: ReadonlySet<string> = new Set<Role>(['admin', 'service', 'client']);

/**
 * Builds the {@link Principal} for verified JWT claims, validating every claim the platform reads.
 * Signature, `exp` in the past, `iss` and `aud` are the verifier's job; this checks shapes only.
 *
 * - `sub`: required, non-empty string of at most 256 characters, well-formed Unicode (no lone
 *   surrogate: stored as UTF-8, `a\uD800` would become the same user as `a\uFFFD`).
 * - `exp`: required finite number (seconds); `expiresAt` is `exp * 1000`.
 * - `realm` / `realms`: realm ids (`/^[A-Za-z0-9_-]{1,64}$/`) or `*`. Granted realms, role realms and
 *   the default realm follow `grantedRealms`, `roleRealmsOf` and `defaultRealmOf` (shared/claims.ts).
 * - `permissions`: array of non-empty strings; `admin`, `service`, `client` become roles, the rest
 *   capabilities. A token with neither `permissions` nor `per` is a `client`.
 * - `per`: realm or `*` → (id pattern → letters of C R U D P); a plain letters string is shorthand
 *   for pattern `*`.
 * - `dpv`: realm or `*` → array of id patterns.
 *
 * @throws AuthError `AUTH_FAILED`, with a message naming the offending claim.
 * @example
 * const principal = principalFromClaims({ sub: 'alice', realm: 'demo', exp: 1900000000 });
 * principal.roles; // ['client']
 * principal.defaultRealm; // 'demo'
 */
export function principalFromClaims(claims: RealtimeClaims): Principal {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw invalid('token claims must be a JSON object');
  }
  const userId = readSubject(claims.sub);
  const expiresAt = readExpiry(claims.exp);
  readRealmClaims(claims);
  const { roles, capabilities } = readPermissions(claims.permissions);
  const grants = readPer(claims.per);
  const dataProviders = readDpv(claims.dpv);

  if (claims.permissions === undefined && claims.per === undefined) roles.push('client');

  const principal: Principal = {
    userId,
    realms: grantedRealms(claims),
    roleRealms: roleRealmsOf(claims),
    roles,
    capabilities,
    grants,
    dataProviders,
    expiresAt,
  };
  const defaultRealm = defaultRealmOf(claims);
  if (defaultRealm !== undefined) principal.defaultRealm = defaultRealm;
  return principal;
}

function readSubject(sub: unknown): string {
  if (sub === undefined) throw invalid('claim "sub" is required');
  if (typeof sub !== 'string' || sub.length === 0) throw invalid('claim "sub" must be a non-empty string');
  if (sub.length > MAX_SUBJECT_LENGTH) {
    throw invalid(`claim "sub" must be at most ${MAX_SUBJECT_LENGTH} characters`);
  }
  if (!isWellFormedText(sub)) throw invalid('claim "sub" must be well-formed Unicode (it holds a lone surrogate)');
  return sub;
}

function readExpiry(exp: unknown): number {
  if (exp === undefined) throw invalid('claim "exp" is required');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw invalid('claim "exp" must be a number (seconds since the epoch)');
  }
  return exp * 1000;
}

function readRealmClaims(claims: RealtimeClaims): void {
  if (claims.realm !== undefined && !isRealmOrAll(claims.realm)) {
    throw invalid(`claim "realm" must be a realm id (letters, digits, "_", "-"; 1-64 characters) or "*"`);
  }
  if (claims.realms !== undefined) {
    if (!Array.isArray(claims.realms)) throw invalid('claim "realms" must be an array of realm ids');
    claims.realms.forEach((realm: unknown, index) => {
      if (!isRealmOrAll(realm)) {
        throw invalid(`claim "realms[${index}]" must be a realm id (letters, digits, "_", "-"; 1-64 characters) or "*"`);
      }
    });
  }
}

function readPermissions(permissions: unknown): { roles: Role[]; capabilities: string[] } {
  const roles: Role[] = [];
  const capabilities: string[] = [];
  if (permissions === undefined) return { roles, capabilities };
  if (!Array.isArray(permissions)) throw invalid('claim "permissions" must be an array of strings');
  permissions.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.length === 0) {
      throw invalid(`claim "permissions[${index}]" must be a non-empty string`);
    }
    if (isRole(entry)) {
      if (!roles.includes(entry)) roles.push(entry);
    } else if (!capabilities.includes(entry)) {
      capabilities.push(entry);
    }
  });
  return { roles, capabilities };
}

function readPer(per: unknown): PermissionGrant[] {
  if (per === undefined) return [];
  if (!isPlainObject(per)) throw invalid('claim "per" must be an object of realm → (pattern → letters)');
  const grants: PermissionGrant[] = [];
  for (const [realm, value] of Object.entries(per)) {
    if (!isRealmOrAll(realm)) throw invalid(`claim "per" has an invalid realm key "${realm}"`);
    if (typeof value === 'string') {
      grants.push({ realm, pattern: '*', letters: readLetters(value, `per.${realm}`) });
      continue;
    }
    if (!isPlainObject(value)) {
      throw invalid(`claim "per.${realm}" must be a letters string or an object of pattern → letters`);
    }
    for (const [pattern, letters] of Object.entries(value)) {
      checkPattern(pattern, `claim "per.${realm}"`);
      if (typeof letters !== 'string') {
        throw invalid(`claim "per.${realm}.${pattern}" must be a string of the letters C, R, U, D, P`);
      }
      grants.push({ realm, pattern, letters: readLetters(letters, `per.${realm}.${pattern}`) });
    }
  }
  return grants;
}

function readLetters(letters: string, path: string): string {
  if (!LETTERS_PATTERN.test(letters)) {
    throw invalid(`claim "${path}" must be a string of the letters C, R, U, D, P (got "${letters}")`);
  }
  return letters;
}

function readDpv(dpv: unknown): Record<string, string[]> {
  if (dpv === undefined) return {};
  if (!isPlainObject(dpv)) throw invalid('claim "dpv" must be an object of realm → array of id patterns');
  const entries: Array<[string, string[]]> = [];
  for (const [realm, patterns] of Object.entries(dpv)) {
    if (!isRealmOrAll(realm)) throw invalid(`claim "dpv" has an invalid realm key "${realm}"`);
    if (!Array.isArray(patterns)) throw invalid(`claim "dpv.${realm}" must be an array of id patterns`);
    const copy: string[] = [];
    patterns.forEach((pattern: unknown, index) => {
      checkPattern(pattern, `claim "dpv.${realm}[${index}]"`);
      copy.push(pattern);
    });
    entries.push([realm, copy]);
  }
  // Object.fromEntries defines own properties, so a realm named `__proto__` stays an ordinary key.
  return Object.fromEntries(entries);
}

function checkPattern(pattern: unknown, where: string): asserts pattern is string {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw invalid(`${where} has an invalid id pattern: patterns are non-empty strings of at most ${MAX_PATTERN_LENGTH} characters`);
  }
  if (!isWellFormedText(pattern)) throw invalid(`${where} has an id pattern that is not well-formed Unicode (a lone surrogate)`);
}

function isRole(value: string): value is Role {
  return ROLES.has(value);
}

function isRealmOrAll(value: unknown): value is string {
  return value === ALL_REALMS || isValidRealm(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): AuthError {
  return new AuthError(ErrorCode.AUTH_FAILED, `Invalid token: ${message}`);
}
