import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Seconds of the window a rate is counted over. */
const RATE_WINDOW_SECONDS = 1;
/** Seconds of the window the burst reserve (as many points again as the rate) refills over. */
const BURST_WINDOW_SECONDS = 10;

/**
 * Where a shared limit keeps its counters, and whom to tell when it falls back to memory.
 *
 * @example
 * new ScopeLimiter(500, { client: cluster.data, keyPrefix: 'rt:rl:publishes:user', onFallback, onError });
 */
export interface SharedCounters {
  client: Redis;
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
 * @example
 * const limiter = new ScopeLimiter(100);
 * const result = await limiter.take(socket.id);
 * if (!result.allowed) refuse(result.retryAfterMs);
 */
export class ScopeLimiter {
  private readonly limiter: BurstyRateLimiter;

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
   * Counts one request of `key`. Refused requests count too, so a client that keeps flooding stays
   * refused. A failure other than a refusal (which the insurance makes unlikely) lets it pass.
   */
  async take(key: string): Promise<TakeResult> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.counters?.onError(rejection);
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(rejection.msBeforeNext)) };
    }
  }
}
