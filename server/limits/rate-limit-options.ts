import { InvalidArgumentError, type Role } from '../../shared/index.js';

/**
 * The kinds of request that are rate limited.
 *
 * @example
 * for (const action of RATE_LIMITED_ACTIONS) console.log(limits[action].perConnection);
 */
export const RATE_LIMITED_ACTIONS = ['publishes', 'messages', 'subscribes', 'writes', 'presence', 'locations'] as const;

/**
 * One kind of rate-limited request: `publishes` (topic publishes, over the socket and
 * `POST /api/events`), `messages` (channel and direct messages, over the socket and REST),
 * `subscribes` (`subscribe` requests, resubscriptions included), `writes` (sync document writes:
 * create, replace, merge, mutate, delete, over the socket and REST; reads are not limited) or
 * `presence` (presence updates, channel joins and leaves, document opens and closes).
 *
 * @example
 * const action: RateLimitedAction = 'publishes';
 */
export type RateLimitedAction = (typeof RATE_LIMITED_ACTIONS)[number];

/**
 * Requests per second allowed at each scope; `0` turns that scope's limit off. On top of each
 * rate a reserve of the same size is available once per 10 seconds, so short bursts of up to
 * twice the rate pass.
 *
 * @example
 * const rates: ActionRates = { perConnection: 100, perUser: 500, perRealm: 5000 };
 */
export interface ActionRates {
  /** Per connection (socket requests only; REST calls have no connection). */
  perConnection?: number;
  /** Per user id in one realm, over all of its connections and REST calls, on every node. */
  perUser?: number;
  /** Per realm, everyone in it together (exempt roles included), on every node. */
  perRealm?: number;
}

/**
 * Rate limits of a server (`RealtimeServerOptions.rateLimits`, `RATE_LIMIT_*` variables). Shared
 * through Redis when the server runs as a cluster, per process otherwise. A refused request
 * answers `RATE_LIMITED` with `details.retryAfterMs` (HTTP 429 and `Retry-After` over REST).
 *
 * @example
 * createRealtimeServer({ auth, rateLimits: { publishes: { perConnection: 20 } } });
 */
export interface RateLimitOptions {
  /**
   * Whether any rate limit applies (`RATE_LIMITS_ENABLED`).
   * @default true
   */
  enabled?: boolean;
  /**
   * Topic publishes (`topic:publish`, `POST /api/events`); the server's own publishes never count.
   * @default { perConnection: 100, perUser: 500, perRealm: 5000 }
   */
  publishes?: ActionRates;
  /**
   * Channel and direct messages (`channel:publish`, `direct:send` and their REST routes).
   * @default { perConnection: 100, perUser: 500, perRealm: 5000 }
   */
  messages?: ActionRates;
  /**
   * `subscribe` requests (a resubscription after a reconnect counts; the client retries refused
   * ones after `retryAfterMs`).
   * @default { perConnection: 50, perUser: 250, perRealm: 10000 }
   */
  subscribes?: ActionRates;
  /**
   * Sync document writes: `sync:create`, `sync:replace`, `sync:merge`, `sync:mutate`,
   * `sync:delete` and their REST routes (each attempt of `update(fn)` counts; the client waits out
   * refusals within its deadline). Reads (`get`, `list`) are not limited.
   * @default { perConnection: 50, perUser: 250, perRealm: 2000 }
   */
  writes?: ActionRates;
  /**
   * Presence churn: `presence:update`, `channel:join`, `channel:leave`, `document:open` and
   * `document:close` (re-joins after a reconnect count; the client re-sends refused ones after
   * `retryAfterMs`). Reading presence is not limited; leaving on disconnect never counts.
   * @default { perConnection: 50, perUser: 250, perRealm: 5000 }
   */
  presence?: ActionRates;
  /**
   * Most connections one user id may hold at once in one realm, over every node; `0` for no
   * limit. The next handshake is refused with `RATE_LIMITED`.
   * @default 100
   */
  connectionsPerUser?: number;
  /**
   * The location firehose: `object:set` (socket and `PUT /api/realms/:realm/objects/:id`). Sized
   * for a stream: a device sending a few updates a second stays far below it, a bulk provider
   * (the `service` role, exempt per connection and user) is bounded by the realm's figure only.
   * Other object, area and realm writes count against `writes`.
   * @default { perConnection: 100, perUser: 500, perRealm: 20000 }
   */
  locations?: ActionRates;
  /**
   * The `retryAfterMs` a handshake refused by `connectionsPerUser` carries, ms.
   * @default 5000
   */
  connectionRetryAfterMs?: number;
  /**
   * Roles whose tokens skip the per-connection and per-user limits and `connectionsPerUser`
   * (backends): only the per-realm limits apply to them.
   * @default ['admin', 'service']
   */
  exemptRoles?: Role[];
}

/**
 * Rates with every default applied.
 *
 * @example
 * const rates: ResolvedActionRates = { perConnection: 100, perUser: 500, perRealm: 5000 };
 */
export type ResolvedActionRates = Required<ActionRates>;

/**
 * Rate limits with every default applied (what {@link resolveRateLimitOptions} returns).
 *
 * @example
 * const limits: ResolvedRateLimits = resolveRateLimitOptions({});
 */
export interface ResolvedRateLimits {
  enabled: boolean;
  publishes: ResolvedActionRates;
  messages: ResolvedActionRates;
  subscribes: ResolvedActionRates;
  writes: ResolvedActionRates;
  presence: ResolvedActionRates;
  locations: ResolvedActionRates;
  connectionsPerUser: number;
  connectionRetryAfterMs: number;
  exemptRoles: Role[];
}

/**
 * The limits used when none are given.
 *
 * Why these values: a person in a chat or a dashboard sends a few requests a second and a device
 * reporting telemetry about ten, so 100 publishes or messages per second per connection is ten
 * times what a well-behaved client needs, while one connection can no longer push thousands. 500
 * per user allows several busy tabs or devices; 5,000 per realm keeps one tenant from taking a
 * node (one node delivers ~180k deliveries/s in all, BENCHMARKS.md case 1). Subscribing is done
 * once per topic, at start-up and after reconnects: 50 per second per connection (100 at once),
 * and 10,000 per realm so that a whole realm reconnecting after a deploy is slowed, not refused
 * for long. 100 connections per user covers tabs and devices; a single token holding thousands
 * is an attack. Backends (`admin`, `service`) publish for many users and count against the realm
 * only.
 *
 * Sync writes cost more than a publish (a store write, with a read and a compare-and-set on
 * MongoDB, plus a change event): a person editing sends a few a second, a collaborative editor
 * saving per keystroke ten or twenty, so 50 per second per connection (100 at once) and 250 per
 * user leave room while capping one client; 2,000 per realm keeps one tenant to a fraction of what
 * a node or its database sustains (BENCHMARKS.md case 5: one node takes 15–17k writes/s on the
 * embedded store, MongoDB far fewer). Presence churn is a store write plus a broadcast to every
 * member of the set. A reconnecting client re-joins all its channels and open documents at once,
 * up to `maxChannelsPerConnection` (100): 50 per second per connection, with the burst of as many
 * again, lets that whole re-join through at once, while a client looping join/leave or updating a
 * cursor 1,000 times a second is held to 50. 250 per user lets five connections re-join fully at
 * once; 5,000 per realm (10,000 at once) slows a whole realm re-joining after a deploy rather than
 * refusing it for long, and the client re-sends refused re-joins by itself.
 *
 * @example
 * createRealtimeServer({ auth, rateLimits: { ...DEFAULT_RATE_LIMITS, connectionsPerUser: 20 } });
 */
export const DEFAULT_RATE_LIMITS: ResolvedRateLimits = {
  enabled: true,
  publishes: { perConnection: 100, perUser: 500, perRealm: 5000 },
  messages: { perConnection: 100, perUser: 500, perRealm: 5000 },
  subscribes: { perConnection: 50, perUser: 250, perRealm: 10_000 },
  writes: { perConnection: 50, perUser: 250, perRealm: 2000 },
  presence: { perConnection: 50, perUser: 250, perRealm: 5000 },
  locations: { perConnection: 100, perUser: 500, perRealm: 20_000 },
  connectionsPerUser: 100,
  connectionRetryAfterMs: 5000,
  exemptRoles: ['admin', 'service'],
};

const ROLES: ReadonlySet<string> = new Set<Role>(['admin', 'service', 'client']);

/**
 * Applies the defaults and validates: every rate and count a whole number ≥ 0, roles known.
 *
 * @throws InvalidArgumentError naming the bad option.
 * @example
 * const limits = resolveRateLimitOptions({ messages: { perConnection: 20 } });
 * limits.messages.perUser; // 500
 */
export function resolveRateLimitOptions(options: RateLimitOptions = {}): ResolvedRateLimits {
  const resolved: ResolvedRateLimits = {
    enabled: options.enabled ?? DEFAULT_RATE_LIMITS.enabled,
    publishes: { ...DEFAULT_RATE_LIMITS.publishes, ...definedOnly(options.publishes) },
    messages: { ...DEFAULT_RATE_LIMITS.messages, ...definedOnly(options.messages) },
    subscribes: { ...DEFAULT_RATE_LIMITS.subscribes, ...definedOnly(options.subscribes) },
    writes: { ...DEFAULT_RATE_LIMITS.writes, ...definedOnly(options.writes) },
    presence: { ...DEFAULT_RATE_LIMITS.presence, ...definedOnly(options.presence) },
    locations: { ...DEFAULT_RATE_LIMITS.locations, ...definedOnly(options.locations) },
    connectionsPerUser: options.connectionsPerUser ?? DEFAULT_RATE_LIMITS.connectionsPerUser,
    connectionRetryAfterMs: options.connectionRetryAfterMs ?? DEFAULT_RATE_LIMITS.connectionRetryAfterMs,
    exemptRoles: [...(options.exemptRoles ?? DEFAULT_RATE_LIMITS.exemptRoles)],
  };
  for (const action of RATE_LIMITED_ACTIONS) {
    for (const [scope, value] of Object.entries(resolved[action])) assertCount(`rateLimits.${action}.${scope}`, value);
  }
  assertCount('rateLimits.connectionsPerUser', resolved.connectionsPerUser);
  assertCount('rateLimits.connectionRetryAfterMs', resolved.connectionRetryAfterMs);
  for (const role of resolved.exemptRoles) {
    if (!ROLES.has(role)) throw new InvalidArgumentError(`rateLimits.exemptRoles: unknown role "${String(role)}" (admin, service or client)`);
  }
  return resolved;
}

function definedOnly(rates: ActionRates | undefined): ActionRates {
  const result: ActionRates = {};
  if (rates?.perConnection !== undefined) result.perConnection = rates.perConnection;
  if (rates?.perUser !== undefined) result.perUser = rates.perUser;
  if (rates?.perRealm !== undefined) result.perRealm = rates.perRealm;
  return result;
}

function assertCount(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a whole number ≥ 0 (0 turns the limit off), not ${String(value)}`);
  }
}
