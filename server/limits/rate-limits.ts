import type { RedisClient } from '../cluster/redis-client.js';
import type { Logger } from 'pino';
import { ALL_REALMS, ErrorCode, LimitExceededError, type Principal, type Role } from '../../shared/index.js';
import { rightsIn } from '../auth/rights-in.js';
import { RATE_LIMITED_ACTIONS, resolveRateLimitOptions, type RateLimitedAction, type RateLimitOptions, type ResolvedRateLimits } from './rate-limit-options.js';
import { ScopeLimiter, type SharedCounters } from './scope-limiter.js';

/**
 * The scopes a rate is counted at, in the order they are checked.
 *
 * @example
 * const scope: RateLimitScope = 'user';
 */
export type RateLimitScope = 'connection' | 'user' | 'realm';

/**
 * What a {@link RateLimits} is built from.
 *
 * @example
 * new RateLimits({ limits: { enabled: false }, logger });
 */
export interface RateLimitsOptions {
  /** The limits; defaults apply to what is left out. */
  limits?: RateLimitOptions;
  /** Cluster mode: count per-user and per-realm requests in this Redis, shared by every node. */
  redis?: { client: RedisClient; keyPrefix: string };
  logger: Logger;
  /** Hears every refusal (the server's metrics count them). */
  onRefused?: (action: RateLimitedAction, scope: RateLimitScope) => void;
}

/**
 * The `details` of a `RATE_LIMITED` refusal.
 *
 * @example
 * const details: RateLimitDetails = { action: 'publishes', scope: 'connection', limit: 100, retryAfterMs: 420 };
 */
export interface RateLimitDetails {
  action: RateLimitedAction | 'connections' | 'logins';
  scope: RateLimitScope | 'user' | 'node';
  /** The limit that refused: requests per second, or connections. */
  limit: number;
  /** How long to wait before the next attempt can pass, ms. */
  retryAfterMs: number;
}

/** How often the "counted per node" warning may repeat while Redis stays unreachable, ms. */
const FALLBACK_WARNING_INTERVAL_MS = 60_000;

const SCOPE_WORDS: Record<RateLimitScope, string> = {
  connection: 'per connection',
  user: 'per user',
  realm: 'per realm',
};

type ActionLimiters = Partial<Record<RateLimitScope, ScopeLimiter>>;

/**
 * The request rate limits of a server: publishes, messages, subscribe requests, sync writes and
 * presence churn, each counted per connection, per user (in a realm) and per realm; refusals are `LimitExceededError` with code
 * `RATE_LIMITED` and `details.retryAfterMs`.
 *
 * Why this exists: one token could hold thousands of connections and push thousands of publishes a
 * second, and with them freeze a node for every tenant. The socket handlers and REST routes that
 * accept such requests call {@link RateLimits.consume} first, so both paths count alike. Per
 * connection is counted in this process (a connection lives on one node); per user and per realm
 * in Redis when clustered (falling back to this process's memory while Redis is unreachable, with
 * a warning), so a user cannot multiply its budget by spreading over nodes. Roles in
 * `exemptRoles` (backends) count against their realm only.
 *
 * @example
 * const rateLimits = new RateLimits({ limits: { publishes: { perConnection: 20 } }, logger });
 * await rateLimits.consume('publishes', principal, 'demo', socket.id); // throws RATE_LIMITED when over
 */
export class RateLimits {
  /** The limits in force, every default applied. */
  readonly settings: ResolvedRateLimits;
  private readonly limiters = new Map<RateLimitedAction, ActionLimiters>();
  private readonly exempt: ReadonlySet<Role>;
  private lastFallbackWarning = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: RateLimitsOptions) {
    this.settings = resolveRateLimitOptions(options.limits);
    this.exempt = new Set(this.settings.exemptRoles);
    for (const action of RATE_LIMITED_ACTIONS) {
      const rates = this.settings[action];
      const limiters: ActionLimiters = {};
      if (rates.perConnection > 0) limiters.connection = new ScopeLimiter(rates.perConnection);
      if (rates.perUser > 0) limiters.user = new ScopeLimiter(rates.perUser, this.shared(action, 'user'));
      if (rates.perRealm > 0) limiters.realm = new ScopeLimiter(rates.perRealm, this.shared(action, 'realm'));
      this.limiters.set(action, limiters);
    }
  }

  /**
   * Whether the principal's roles in `realm` skip the per-connection and per-user limits. Roles
   * count only where they apply ({@link rightsIn}): an admin of london is not exempt in paris.
   */
  isExempt(principal: Principal, realm: string): boolean {
    if (this.exempt.size === 0) return false;
    // `*` stands for every realm: the roles apply there only when they apply in all realms.
    const roles = realm === ALL_REALMS ? (principal.roleRealms.includes(ALL_REALMS) ? principal.roles : []) : rightsIn(principal, realm).roles;
    for (const role of roles) if (this.exempt.has(role)) return true;
    return false;
  }

  /**
   * Counts one `action` request of `principal` in `realm` (over `connectionId` when it came over a
   * socket) at every scope, stopping at the first that refuses.
   *
   * @throws LimitExceededError `RATE_LIMITED`, details {@link RateLimitDetails}.
   */
  async consume(action: RateLimitedAction, principal: Principal, realm: string, connectionId?: string): Promise<void> {
    if (!this.settings.enabled) return;
    const limiters = this.limiters.get(action);
    if (limiters === undefined) return;
    if (!this.isExempt(principal, realm)) {
      if (connectionId !== undefined) await this.check(action, 'connection', limiters.connection, connectionId);
      await this.check(action, 'user', limiters.user, `${realm}:${principal.userId}`);
    }
    await this.check(action, 'realm', limiters.realm, realm);
  }

  private async check(action: RateLimitedAction, scope: RateLimitScope, limiter: ScopeLimiter | undefined, key: string): Promise<void> {
    if (limiter === undefined) return;
    const result = await limiter.take(key);
    if (result.allowed) return;
    this.options.onRefused?.(action, scope);
    throw rateLimitedError(`Too many ${action}: at most ${limiter.points} per second ${SCOPE_WORDS[scope]}; retry in ${result.retryAfterMs} ms`, {
      action,
      scope,
      limit: limiter.points,
      retryAfterMs: result.retryAfterMs,
    });
  }

  private shared(action: RateLimitedAction, scope: RateLimitScope): SharedCounters | undefined {
    const { redis, logger } = this.options;
    if (redis === undefined) return undefined;
    return {
      client: redis.client,
      keyPrefix: `${redis.keyPrefix}:rl:${action}:${scope}`,
      onFallback: () => {
        const now = Date.now();
        if (now - this.lastFallbackWarning < FALLBACK_WARNING_INTERVAL_MS) return;
        this.lastFallbackWarning = now;
        logger.warn('Redis is unreachable: per-user and per-realm rate limits are counted by each node alone until it returns');
      },
      onError: (err) => logger.warn({ err, action, scope }, 'a rate limit could not be counted; the request was let through'),
    };
  }
}

/**
 * The `RATE_LIMITED` error every limit raises.
 *
 * @example
 * throw rateLimitedError('Too many connections', { action: 'connections', scope: 'user', limit: 100, retryAfterMs: 5000 });
 */
export function rateLimitedError(message: string, details: RateLimitDetails): LimitExceededError {
  // A refusal is flow control, raised thousands of times a second under a flood, never a bug to
  // trace: capturing its stack would be most of what refusing costs (~4 µs of ~5).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new LimitExceededError(message, { code: ErrorCode.RATE_LIMITED, details });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
