import type { RedisClient } from '../cluster/redis-client.js';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Seconds of the window a rate is counted over. */
const RATE_WINDOW_SECONDS = 1;
/** Seconds of the window the burst reserve (as many points again as the rate) refills over. */
const BURST_WINDOW_SECONDS = 10;
/** Past this many refused keys, expired ones are swept (at most once a second) when another is added. */
const BLOCKED_SWEEP_SIZE = 1000;
const BLOCKED_SWEEP_INTERVAL_MS = 1000;

/**
 * Where a shared limit keeps its counters, and whom to tell when it falls back to memory.
 *
 * @example
 * new ScopeLimiter(500, { client: cluster.data, keyPrefix: 'rt:rl:publishes:user', onFallback, onError });
 */
export interface SharedCounters {
  client: RedisClient;
  /** Prefix of this limit's keys, e.g. `rt:rl:publishes:user`. */
  keyPrefix: string;
  /** Called whenever a request is counted in this process because Redis is unreachable. */
  onFallback: () => void;
  /** Called when counting failed altogether (the request was let through). */
  onError: (err: unknown) => void;
}

/**
 * What {@link ScopeLimiter.take} decided.
 *
 * @example
 * const result: TakeResult = { allowed: false, retryAfterMs: 420 };
 */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/** A memory limiter that reports each use: it only runs as the Redis limiter's insurance. */
class FallbackLimiter extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/**
 * One rate limit at one scope: `points` requests per second per key, plus a reserve of `points`
 * more per 10 seconds for bursts (rate-limiter-flexible's `BurstyRateLimiter` over two fixed
 * windows).
 *
 * Why this exists: with `counters` the windows live in Redis, so every node of a cluster counts
 * against the same budget (one Lua call per request; a key already over its limit is then refused
 * from memory until its window ends, so a flood costs Redis nothing). When Redis is unreachable
 * each node counts in its own memory instead (rate-limiter-flexible's `insuranceLimiter`): the
 * limit stays, per node, rather than failing closed (refusing everyone) or open (no limit).
 *
 * A refused key is then refused from a local table until its wait is over, without asking the
 * limiter (or Redis) again: a flooding client costs a map lookup per request, not a counter
 * update, so that refusing it stays cheap for everyone else. The counters cannot free up earlier:
 * the wait is the time until the current window ends.
 *
 * @example
 * const limiter = new ScopeLimiter(100);
 * const result = await limiter.take(socket.id);
 * if (!result.allowed) refuse(result.retryAfterMs);
 */
export class ScopeLimiter {
  private readonly limiter: BurstyRateLimiter;
  /** Refused keys and when they may pass again (`Date.now()` ms). */
  private readonly blocked = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    /** Requests per second per key (≥ 1). */
    readonly points: number,
    private readonly counters?: SharedCounters,
  ) {
    this.limiter = new BurstyRateLimiter(
      ScopeLimiter.window(points, RATE_WINDOW_SECONDS, counters, 'rate'),
      ScopeLimiter.window(points, BURST_WINDOW_SECONDS, counters, 'burst'),
    );
  }

  private static window(points: number, duration: number, counters: SharedCounters | undefined, name: string): RateLimiterMemory | RateLimiterRedis {
    if (counters === undefined) return new RateLimiterMemory({ points, duration });
    return new RateLimiterRedis({
      storeClient: counters.client,
      keyPrefix: `${counters.keyPrefix}:${name}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      inMemoryBlockOnConsumed: points + 1,
      insuranceLimiter: new FallbackLimiter({ points, duration }, counters.onFallback),
    });
  }

  /**
   * Counts one request of `key`. Once refused, the key is refused (uncounted) until its wait is
   * over. A failure other than a refusal (which the insurance makes unlikely) lets it pass.
   */
  async take(key: string): Promise<TakeResult> {
    const waiting = this.waitOf(key);
    if (waiting !== undefined) return { allowed: false, retryAfterMs: waiting };
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.counters?.onError(rejection);
        return { allowed: true };
      }
      const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
      this.block(key, Date.now() + retryAfterMs);
      return { allowed: false, retryAfterMs };
    }
  }

  /** How long a refused key must still wait, ms; `undefined` when it may be counted again. */
  private waitOf(key: string): number | undefined {
    const until = this.blocked.get(key);
    if (until === undefined) return undefined;
    const wait = until - Date.now();
    if (wait > 0) return Math.ceil(wait);
    this.blocked.delete(key);
    return undefined;
  }

  private block(key: string, until: number): void {
    const now = Date.now();
    if (this.blocked.size >= BLOCKED_SWEEP_SIZE && now - this.lastSweep >= BLOCKED_SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      for (const [other, otherUntil] of this.blocked) if (otherUntil <= now) this.blocked.delete(other);
    }
    this.blocked.set(key, until);
  }
}
