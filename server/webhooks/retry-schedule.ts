/**
 * The default delays before attempts 2 to 8, in ms: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 * Eight attempts over about 27.5 hours, the schedule Liveblocks publishes for its Standard
 * Webhooks (the specification's example schedule starts the same way).
 *
 * @example
 * DEFAULT_RETRY_DELAYS_MS.length + 1; // 8 attempts
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];

/** The largest `Retry-After` honoured, ms: a receiver cannot park a delivery for longer. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * How long to wait after a failed attempt before the next one, or `undefined` when
 * `attemptsMade` used up the schedule. Each delay is drawn uniformly from `(1 - jitter)` to
 * `(1 + jitter)` of its scheduled value, so endpoints that failed together do not retry together;
 * a `Retry-After` longer than the drawn delay (up to {@link MAX_RETRY_AFTER_MS}) wins.
 *
 * @example
 * retryDelay(1, DEFAULT_RETRY_DELAYS_MS, 0.2, Math.random); // 4000..6000
 * retryDelay(8, DEFAULT_RETRY_DELAYS_MS, 0.2, Math.random); // undefined: dead letter
 */
export function retryDelay(attemptsMade: number, delaysMs: readonly number[], jitter: number, random: () => number, retryAfterMs?: number): number | undefined {
  const base = delaysMs[attemptsMade - 1];
  if (base === undefined) return undefined;
  const drawn = Math.round(base * (1 - jitter + 2 * jitter * random()));
  return retryAfterMs === undefined ? drawn : Math.max(drawn, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/**
 * A `Retry-After` header in ms from now (seconds or an HTTP date), or `undefined`.
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120000
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
