import { ErrorCode, LimitExceededError } from '../shared/index.js';

/** How long to wait before trying again when a `RATE_LIMITED` refusal named no wait, ms. */
const DEFAULT_RETRY_AFTER_MS = 1000;
/** Up to this fraction of the wait is added at random, so requests refused together do not return together. */
const RETRY_JITTER = 0.2;

/**
 * How long to wait before sending a request the server refused with `RATE_LIMITED` again: its
 * `retryAfterMs` (1 s when it names none) plus up to 20% jitter. `undefined` for any other error.
 *
 * Why this exists: the client re-sends what it sent on its own (re-joins after a reconnect) and
 * what it retries by design (`update(fn)`), and a refusal that says when to come back is not a
 * failure of either; waiting exactly as long as asked, with some spread, gets them through.
 *
 * @example
 * const wait = rateLimitWait(err);
 * if (wait !== undefined) setTimeout(resend, wait);
 */
export function rateLimitWait(err: unknown): number | undefined {
  if (!(err instanceof LimitExceededError) || err.code !== ErrorCode.RATE_LIMITED) return undefined;
  const base = err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  return Math.round(base * (1 + RETRY_JITTER * Math.random()));
}
