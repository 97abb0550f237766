import { retryDelay } from './retry-schedule.js';
import type { AttemptResult } from './webhook-sender.js';
import type { DeliveryPatch, StoredDelivery } from './webhook-store.js';

/** How an attempt ended: delivered, to be retried, or failed for good (a dead letter). */
export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed';

/**
 * What an attempt means for its delivery: delivered, try again at `nextAttemptAt`, or failed for
 * good (into the dead-letter list). `gone` marks an HTTP 410: the receiver asked to stop, so the
 * endpoint is disabled (Standard Webhooks' advice).
 */
export interface OutcomePlan {
  outcome: DeliveryOutcome;
  patch: DeliveryPatch;
  nextAttemptAt?: number;
  gone: boolean;
}

/** The retry settings an outcome depends on. */
export interface RetrySettings {
  retryDelaysMs: readonly number[];
  retryJitter: number;
  random: () => number;
}

/**
 * Decides what an attempt's result does to a delivery. A 2xx answer is success; anything else
 * (another status, a network error, a timeout) is a failure, retried on the schedule until it
 * runs out.
 *
 * @example
 * const plan = planOutcome(delivery, { kind: 'response', statusCode: 503, durationMs: 12 }, settings, Date.now());
 * plan.outcome; // 'retry'
 */
export function planOutcome(
  delivery: Pick<StoredDelivery, 'attempts'>,
  result: Exclude<AttemptResult, { kind: 'aborted' }>,
  settings: RetrySettings,
  now: number,
): OutcomePlan {
  const attempts = delivery.attempts + 1;
  const common: DeliveryPatch = {
    attempts,
    lastAttemptAt: now,
    durationMs: result.durationMs,
    statusCode: result.kind === 'response' ? result.statusCode : null,
    updatedAt: now,
  };
  if (result.kind === 'response' && result.statusCode >= 200 && result.statusCode < 300) {
    return {
      outcome: 'succeeded',
      patch: { ...common, status: 'succeeded', deliveredAt: now, nextAttemptAt: null, lastError: null },
      gone: false,
    };
  }
  const lastError = result.kind === 'response' ? `HTTP ${result.statusCode}` : result.error;
  const gone = result.kind === 'response' && result.statusCode === 410;
  const delay = gone
    ? undefined
    : retryDelay(attempts, settings.retryDelaysMs, settings.retryJitter, settings.random, result.kind === 'response' ? result.retryAfterMs : undefined);
  if (delay === undefined) {
    return {
      outcome: 'failed',
      patch: { ...common, status: 'failed', failedAt: now, nextAttemptAt: null, lastError: gone ? `${lastError} (the endpoint asked to stop)` : lastError },
      gone,
    };
  }
  return { outcome: 'retry', patch: { ...common, status: 'pending', nextAttemptAt: now + delay, lastError }, nextAttemptAt: now + delay, gone: false };
}
