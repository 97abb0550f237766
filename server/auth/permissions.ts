/**
 * The one place every operation asks "may this principal do that here?".
 *
 * Why this exists as one module: permissions combine three sources (roles, capability strings and
 * Hivekit `per` grants), are scoped by realm, and are matched by id pattern. Doing that once, with
 * one pattern compiler and one cache, keeps every gateway handler and REST route consistent and
 * keeps the hot path (every publish, subscribe and delivery) cheap.
 *
 * Resource ids are `/`-separated: `topic/<topic>`, `doc/<service>/<id>`, `channel/<name>`,
 * `user/<userId>`, `object/<id>`, `area/<id>`. Callers validate the ids they put in; a `/` inside
 * an id simply adds a segment. A `per` pattern written as Hivekit writes it, an object or area id
 * pattern (`deliveryRiders/*`: its first segment is no resource kind, and it is not `*` alone),
 * applies to `object/<pattern>` and `area/<pattern>` (see {@link grantApplies}).
 */
import createDebug from 'debug';
import {
  ALL_REALMS,
  ForbiddenError,
  InvalidArgumentError,
  isValidRealm,
  matchesPattern,
  type PermissionLetter,
  type Principal,
  type Role,
} from '../../shared/index.js';
import { rightsIn } from './rights-in.js';

const debug = createDebug('realtime:auth:permissions');

/**
 * The resource kinds that make up the first segment of a resource id.
 *
 * @example
 * RESOURCE_KINDS.includes('doc'); // true
 */
export const RESOURCE_KINDS = ['topic', 'doc', 'channel', 'user', 'object', 'area', 'rpc', 'record'] as const;

/**
 * One resource kind: `topic`, `doc`, `channel`, `user`, `object`, `area`, `rpc` or `record`.
 *
 * @example
 * const kind: ResourceKind = 'channel';
 */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * The resource id of a topic.
 *
 * @example
 * topicResource('order.updated'); // 'topic/order.updated'
 */
export function topicResource(topic: string): string {
  return `topic/${topic}`;
}

/**
 * The resource id of a sync document.
 *
 * @example
 * docResource('notes', 'a1'); // 'doc/notes/a1'
 */
export function docResource(service: string, id: string): string {
  return `doc/${service}/${id}`;
}

/**
 * The resource id of a channel.
 *
 * @example
 * channelResource('lobby'); // 'channel/lobby'
 */
export function channelResource(name: string): string {
  return `channel/${name}`;
}

/**
 * The resource id of a user, the target of direct messages (`C` = may message that user).
 *
 * @example
 * userResource('alice'); // 'user/alice'
 */
export function userResource(userId: string): string {
  return `user/${userId}`;
}

/**
 * The resource id of an RPC name: `C` makes calls to it, `P` provides it.
 *
 * @example
 * rpcResource('math/multiply'); // 'rpc/math/multiply'
 */
export function rpcResource(name: string): string {
  return `rpc/${name}`;
}

/**
 * The resource id of a record (deepstream's named JSON documents), for listening: `C` on
 * `record/<pattern>` listens for (provides) the records the pattern matches.
 *
 * @example
 * recordResource('user/lisa'); // 'record/user/lisa'
 */
export function recordResource(name: string): string {
  return `record/${name}`;
}

/**
 * The resource id of a Hivekit object.
 *
 * @example
 * objectResource('rider-7'); // 'object/rider-7'
 */
export function objectResource(id: string): string {
  return `object/${id}`;
}

/**
 * The resource id of a Hivekit area.
 *
 * @example
 * areaResource('zone-1'); // 'area/zone-1'
 */
export function areaResource(id: string): string {
  return `area/${id}`;
}

// Id patterns live in shared/ (the `like` filter and data-provider claims use the same rules);
// they are re-exported here, where permissions have always offered them.
export { PATTERN_CACHE_LIMIT, compilePattern, matchesPattern, type PatternMatcher } from '../../shared/index.js';

/** One built-in rule: resource ids matching `pattern` get `letters`. */
interface Rule {
  readonly pattern: string;
  readonly letters: string;
}

const ALL_LETTERS = 'CRUDP';

const VALID_LETTERS: ReadonlySet<string> = new Set<PermissionLetter>(['C', 'R', 'U', 'D', 'P']);

/** What each role grants, in the realms where the token's roles apply ({@link rightsIn}). */
const ROLE_RULES: Readonly<Record<Role, readonly Rule[]>> = {
  admin: [{ pattern: '*', letters: ALL_LETTERS }],
  service: RESOURCE_KINDS.map((kind) => ({ pattern: `${kind}/*`, letters: ALL_LETTERS })),
  client: [
    { pattern: 'topic/*', letters: 'R' },
    { pattern: 'doc/*', letters: 'R' },
    { pattern: 'channel/*', letters: 'RCP' },
    { pattern: 'user/*', letters: 'CR' },
    { pattern: 'object/*', letters: 'R' },
    { pattern: 'area/*', letters: 'R' },
    { pattern: 'rpc/*', letters: 'C' },
  ],
};

/** What each capability string grants. A Map, so names like `constructor` find nothing. */
const CAPABILITY_RULES: ReadonlyMap<string, readonly Rule[]> = new Map([
  ['subscribe', [{ pattern: 'topic/*', letters: 'R' }]],
  ['publish', [{ pattern: 'topic/*', letters: 'C' }]],
]);

function rulesAllow(rules: readonly Rule[] | undefined, resourceId: string, letter: string): boolean {
  if (rules === undefined) return false;
  for (const rule of rules) {
    if (rule.letters.includes(letter) && matchesPattern(rule.pattern, resourceId)) return true;
  }
  return false;
}

/**
 * Whether the principal's token grants `realm`, by name or through `*`. `*` itself is not a realm:
 * asking about it (or any invalid realm id) answers false.
 *
 * @example
 * hasRealm(principal, 'demo'); // true for a token with realm 'demo' or realms ['*']
 */
export function hasRealm(principal: Principal, realm: string): boolean {
  if (!isValidRealm(realm)) return false;
  return principal.realms.includes(realm) || principal.realms.includes(ALL_REALMS);
}

/**
 * Documents of services whose name starts with `_` belong to the platform (the topic and schema
 * registry keeps its entries there): no token reaches them through the sync API, not even an
 * admin's, so they change only through their own API and its checks.
 */
export const PLATFORM_DOCUMENTS = 'doc/_';

/**
 * Whether the principal may perform `letter` on `resourceId` in `realm`: false when the realm is not
 * granted; otherwise the union of what its roles and capability strings allow in this realm (only
 * in its role realms, see {@link rightsIn}) and what its `per` grants for this realm or `*` allow.
 *
 * - `admin`: everything. `service`: C R U D P on topic, doc, channel, user, object, area, rpc and record ids.
 * - `client`: R on `topic/*`, `doc/*`, `object/*` and `area/*`, R C P on `channel/*`, C R on `user/*`
 *   (direct messages, login status), C on `rpc/*` (making calls).
 * - a `per` grant matches the resource id, or (for an object or area id pattern) the object or
 *   area id inside `object/<id>` and `area/<id>` ({@link grantApplies}).
 * - `subscribe`: R on `topic/*`; `publish`: C on `topic/*`.
 *
 * @example
 * if (can(principal, 'demo', topicResource('order.updated'), 'C')) publish();
 */
export function can(principal: Principal, realm: string, resourceId: string, letter: PermissionLetter): boolean {
  // A runtime guard: `'CRUDP'.includes('')` is true, so only single known letters may ask.
  if (!VALID_LETTERS.has(letter)) return false;
  if (!hasRealm(principal, realm)) return false;
  if (resourceId.startsWith(PLATFORM_DOCUMENTS)) return false;
  const rights = rightsIn(principal, realm);
  for (const role of rights.roles) {
    if (rulesAllow(ROLE_RULES[role], resourceId, letter)) return true;
  }
  for (const capability of rights.capabilities) {
    if (rulesAllow(CAPABILITY_RULES.get(capability), resourceId, letter)) return true;
  }
  for (const grant of principal.grants) {
    if ((grant.realm === realm || grant.realm === ALL_REALMS) && grant.letters.includes(letter) && grantApplies(grant.pattern, resourceId)) {
      return true;
    }
  }
  return false;
}

const ENTITY_KINDS = ['object/', 'area/'] as const;

/**
 * Whether a `per` pattern covers a resource id: it matches the id itself, or it is an object or
 * area id pattern as Hivekit writes them (`deliveryRiders/*`, `deliveryRides/johndoe-123`: the
 * first segment is no resource kind, and it is not `*` alone, which already means everything)
 * and it matches the id inside `object/<id>` or `area/<id>`.
 *
 * @example
 * grantApplies('deliveryRiders/*', 'object/deliveryRiders/7'); // true
 * grantApplies('deliveryRiders/*', 'topic/deliveryRiders/7'); // false
 */
export function grantApplies(pattern: string, resourceId: string): boolean {
  if (matchesPattern(pattern, resourceId)) return true;
  if (pattern === '*') return false;
  const kind = ENTITY_KINDS.find((prefix) => resourceId.startsWith(prefix));
  if (kind === undefined) return false;
  const slash = pattern.indexOf('/');
  const first = slash === -1 ? pattern : pattern.slice(0, slash);
  if ((RESOURCE_KINDS as readonly string[]).includes(first)) return false;
  return matchesPattern(pattern, resourceId.slice(kind.length));
}

/**
 * Whether the principal is an `admin` in `realm`, as management APIs (webhooks, ...) require: the
 * `admin` role applies there ({@link rightsIn}); a realm named only as a `per` key is not enough.
 *
 * @example
 * if (!isAdmin(principal, realm)) throw new ForbiddenError('admin role required');
 */
export function isAdmin(principal: Principal, realm: string): boolean {
  return hasRealm(principal, realm) && rightsIn(principal, realm).roles.includes('admin');
}

/**
 * Throws unless {@link can} allows the operation.
 *
 * @throws ForbiddenError `Not permitted: R on topic/order.updated in realm "demo"`, with details
 *   `{ realm, resource, permission }`.
 * @example
 * assertCan(principal, realm, docResource('notes', id), 'U');
 */
export function assertCan(principal: Principal, realm: string, resourceId: string, letter: PermissionLetter): void {
  if (can(principal, realm, resourceId, letter)) return;
  debug('denied %s on %s in realm %s to user %s', letter, resourceId, realm, principal.userId);
  throw new ForbiddenError(`Not permitted: ${letter} on ${resourceId} in realm "${realm}"`, {
    details: { realm, resource: resourceId, permission: letter },
  });
}

/**
 * The realm a request works in: `requested` when given and granted, else the token's default realm.
 *
 * @throws InvalidArgumentError when `requested` is not a valid realm id, or when it is absent and
 *   the token has no single realm to default to ("realm is required ...").
 * @throws ForbiddenError when `requested` is not granted by the token.
 * @example
 * const realm = resolveRealm(principal, payload.realm); // 'demo'
 */
export function resolveRealm(principal: Principal, requested?: string): string {
  if (requested === undefined) {
    const fallback = principal.defaultRealm;
    if (fallback !== undefined && hasRealm(principal, fallback)) return fallback;
    const message = 'realm is required: this token grants several realms (or all), so the request must name one';
    throw new InvalidArgumentError(message, {
      details: { issues: [{ path: 'realm', message }], realms: principal.realms },
    });
  }
  if (!isValidRealm(requested)) {
    const message = `Invalid realm id ${JSON.stringify(requested)}: use 1-64 letters, digits, "_" or "-"`;
    throw new InvalidArgumentError(message, { details: { issues: [{ path: 'realm', message }], realm: requested } });
  }
  if (!hasRealm(principal, requested)) {
    debug('realm %s not granted to user %s', requested, principal.userId);
    throw new ForbiddenError(`Realm "${requested}" is not granted by this token`, { details: { realm: requested } });
  }
  return requested;
}

/**
 * Whether the principal administers the whole platform: the `admin` role in every realm (a token
 * with `realms: ['*']` and the `admin` role). What process-wide views need (metrics), where a
 * realm's admin would see other realms' figures.
 *
 * @example
 * isPlatformAdmin(principalFromClaims({ sub: 'ops', exp, realms: ['*'], permissions: ['admin'] })); // true
 */
export function isPlatformAdmin(principal: Principal): boolean {
  return principal.roleRealms.includes(ALL_REALMS) && principal.realms.includes(ALL_REALMS) && principal.roles.includes('admin');
}
