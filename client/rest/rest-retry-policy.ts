import { ErrorCode, LimitExceededError, RealtimeError } from '../../shared/index.js';
import { backoffDelay } from '../backoff.js';
import type { RestRetryOptions } from './rest-client-options.js';

/**
 * Whether repeating a request can do anything but what it did the first time: `'safe'` for reads
 * (every `GET`, and `POST /auth/verify`), `'unsafe'` for writes (a publish, a sync write, a
 * broadcast, a webhook change).
 *
 * @example
 * isRetryableRestFailure(err, 'safe');
 */
export type RequestSafety = 'safe' | 'unsafe';

/**
 * One failed attempt: the typed error, and the wait a `Retry-After` header named, ms.
 *
 * @example
 * const failure: RestFailure = { error, retryAfterHeaderMs: 2000 };
 */
export interface RestFailure {
  error: RealtimeError;
  /** From `Retry-After` (seconds or an HTTP date); the body's `details.retryAfterMs` wins. */
  retryAfterHeaderMs?: number;
}

/**
 * The first retry waits about this long, ms; each next one twice as long (up to `maxDelayMs`).
 *
 * @example
 * REST_RETRY_BASE_DELAY_MS; // 100
 */
export const REST_RETRY_BASE_DELAY_MS = 100;
/** Up to this fraction of the server's wait is added at random, so callers refused together spread out. */
const SERVER_WAIT_JITTER = 0.2;

/** Refused before anything was done: the server checks rate limits before it runs a request. */
const REFUSED_UNTRIED: ReadonlySet<ErrorCode> = new Set([ErrorCode.RATE_LIMITED]);
/** Not served, or not answered in time: whether a write took effect is unknown. */
const NOT_SERVED: ReadonlySet<ErrorCode> = new Set([ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT]);

/**
 * Whether a failed request may be sent again as it is:
 * - `RATE_LIMITED` (429), for every request, writes included: the server counts the rate limit
 *   right after it knows the realm and before it does anything else, so the refused request did
 *   nothing, and sending it again cannot apply it twice (a `POST /api/events` publish too);
 * - `UNAVAILABLE` (503), `TIMEOUT` (504 or the client's own `timeoutMs`) and a network failure
 *   (an `UNAVAILABLE` with the `fetch` error as `cause`), for `'safe'` requests only: a write may
 *   have been applied before the answer was lost, and the platform has no idempotency keys, so
 *   it is thrown for the caller to decide, as the socket client does with requests in flight.
 *
 * Anything else (`LIMIT_EXCEEDED`, a 4xx, `INTERNAL`) is never retried.
 *
 * @example
 * if (isRetryableRestFailure(err, 'safe')) retryLater();
 */
export function isRetryableRestFailure(error: unknown, safety: RequestSafety): boolean {
  if (!(error instanceof RealtimeError)) return false;
  return REFUSED_UNTRIED.has(error.code) || (safety === 'safe' && NOT_SERVED.has(error.code));
}

/**
 * The wait before attempt `attempt + 1`, ms, or `undefined` when the failure of attempt `attempt`
 * (1-based) is final: not retryable (see {@link isRetryableRestFailure}), out of attempts, or the
 * server asked for a longer wait than `maxDelayMs` (waiting less would only be refused again).
 *
 * The wait is exponential backoff with jitter (about 100 ms, doubling, each drawn from 50% to
 * 150%, at most `maxDelayMs`) and never less than what the server named: `details.retryAfterMs`
 * of the body, else the `Retry-After` header, plus up to 20% jitter (still capped by
 * `maxDelayMs`, which is then no less than the server's wait).
 *
 * @example
 * const wait = restRetryDelay({ error }, 1, { attempts: 3, maxDelayMs: 5000 }, 'unsafe');
 * if (wait !== undefined) await sleep(wait);
 */
export function restRetryDelay(
  failure: RestFailure,
  attempt: number,
  options: Required<RestRetryOptions>,
  safety: RequestSafety,
  random: () => number = Math.random,
): number | undefined {
  const { error } = failure;
  if (attempt >= options.attempts || !isRetryableRestFailure(error, safety)) return undefined;
  const backoff = backoffDelay(attempt, {
    baseDelay: REST_RETRY_BASE_DELAY_MS,
    maxDelay: options.maxDelayMs,
    randomizationFactor: 0.5,
    random,
  });
  const serverWait = (error instanceof LimitExceededError ? error.retryAfterMs : undefined) ?? failure.retryAfterHeaderMs;
  if (serverWait === undefined) return backoff;
  if (serverWait > options.maxDelayMs) return undefined;
  return Math.min(options.maxDelayMs, Math.max(backoff, Math.round(serverWait * (1 + SERVER_WAIT_JITTER * random()))));
}
