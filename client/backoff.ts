/**
 * How reconnection delays grow.
 */
export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  baseDelay: number;
  /** Upper bound of any delay, ms. */
  maxDelay: number;
  /** Spread of the jitter: 0.5 draws each delay from 50% to 150% of the exponential value. */
  randomizationFactor: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
  /**
   * The least delay, ms, when the server said how long to wait (a `RATE_LIMITED` handshake's
   * `retryAfterMs`): the delay is then at least this, plus up to `randomizationFactor` of it as
   * jitter, even above `maxDelay`.
   */
  minDelay?: number;
}

/**
 * The delay before reconnection attempt `attempt` (1-based): exponential growth from `baseDelay`,
 * capped at `maxDelay`, with jitter so that many clients dropped together do not return together.
 *
 * @example
 * backoffDelay(3, { baseDelay: 1000, maxDelay: 30000, randomizationFactor: 0 }); // 4000
 * backoffDelay(1, { baseDelay: 1000, maxDelay: 30000, randomizationFactor: 0, minDelay: 5000 }); // 5000
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const exponent = Math.max(0, attempt - 1);
  const exponential = Math.min(options.maxDelay, options.baseDelay * 2 ** Math.min(exponent, 31));
  const factor = Math.min(1, Math.max(0, options.randomizationFactor));
  const random = options.random ?? Math.random;
  const jittered = exponential * (1 - factor + 2 * factor * random());
  const delay = Math.round(Math.min(options.maxDelay, jittered));
  const { minDelay } = options;
  if (minDelay === undefined || delay >= minDelay) return delay;
  // Above the server's wait, never below it: clients refused together do not return together.
  return Math.round(minDelay * (1 + factor * random()));
}
