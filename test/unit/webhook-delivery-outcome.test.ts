import { describe, expect, it } from 'vitest';
import { planOutcome } from '../../server/webhooks/delivery-outcome.js';
import { DEFAULT_RETRY_DELAYS_MS, MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay } from '../../server/webhooks/retry-schedule.js';
import { DEFAULT_WEBHOOK_OPTIONS, resolveWebhookOptions } from '../../server/webhooks/webhook-options.js';
import { previousSecretExpiresAt, rotateSecrets, secretProblem, signingSecrets } from '../../server/webhooks/webhook-secrets.js';

const NOW = 1_700_000_000_000;
const settings = { retryDelaysMs: [1000, 2000], retryJitter: 0, random: () => 0.5 };

describe('retry schedule', () => {
  it('is 8 attempts over about 27.5 hours by default', () => {
    expect(DEFAULT_RETRY_DELAYS_MS.length + 1).toBe(8);
    const total = DEFAULT_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBe((27 * 3600 + 35 * 60 + 5) * 1000);
    expect(DEFAULT_WEBHOOK_OPTIONS.retryDelaysMs).toBe(DEFAULT_RETRY_DELAYS_MS);
  });

  it('draws each delay within the jitter, and stops when the schedule runs out', () => {
    expect(retryDelay(1, DEFAULT_RETRY_DELAYS_MS, 0.2, () => 0)).toBe(4000);
    expect(retryDelay(1, DEFAULT_RETRY_DELAYS_MS, 0.2, () => 0.999999)).toBe(6000);
    expect(retryDelay(2, DEFAULT_RETRY_DELAYS_MS, 0, Math.random)).toBe(300_000);
    expect(retryDelay(8, DEFAULT_RETRY_DELAYS_MS, 0.2, Math.random)).toBeUndefined();
  });

  it('honours a longer Retry-After, up to an hour', () => {
    expect(retryDelay(1, [1000], 0, Math.random, 30_000)).toBe(30_000);
    expect(retryDelay(1, [1000], 0, Math.random, 10)).toBe(1000);
    expect(retryDelay(1, [1000], 0, Math.random, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('attempt outcomes', () => {
  it('a 2xx delivers', () => {
    const plan = planOutcome({ attempts: 2 }, { kind: 'response', statusCode: 204, durationMs: 5 }, settings, NOW);
    expect(plan).toMatchObject({ outcome: 'succeeded', gone: false });
    expect(plan.patch).toEqual({
      status: 'succeeded',
      attempts: 3,
      lastAttemptAt: NOW,
      deliveredAt: NOW,
      durationMs: 5,
      statusCode: 204,
      nextAttemptAt: null,
      lastError: null,
      updatedAt: NOW,
    });
  });

  it('other answers, errors and timeouts retry on schedule, then fail for good', () => {
    const retry = planOutcome({ attempts: 0 }, { kind: 'response', statusCode: 302, durationMs: 1 }, settings, NOW);
    expect(retry).toMatchObject({
      outcome: 'retry',
      nextAttemptAt: NOW + 1000,
      patch: { status: 'pending', attempts: 1, lastError: 'HTTP 302', statusCode: 302 },
    });
    const second = planOutcome({ attempts: 1 }, { kind: 'error', error: 'timed out after 15000 ms', durationMs: 15000 }, settings, NOW);
    expect(second).toMatchObject({ outcome: 'retry', nextAttemptAt: NOW + 2000, patch: { lastError: 'timed out after 15000 ms', statusCode: null } });
    const last = planOutcome({ attempts: 2 }, { kind: 'response', statusCode: 500, durationMs: 1 }, settings, NOW);
    expect(last).toMatchObject({ outcome: 'failed', patch: { status: 'failed', attempts: 3, failedAt: NOW, nextAttemptAt: null } });
  });

  it('410 Gone fails at once and marks the endpoint gone', () => {
    const plan = planOutcome({ attempts: 0 }, { kind: 'response', statusCode: 410, durationMs: 1 }, settings, NOW);
    expect(plan).toMatchObject({ outcome: 'failed', gone: true, patch: { attempts: 1, statusCode: 410 } });
  });
});

describe('webhook options and secrets', () => {
  it('validates options', () => {
    expect(resolveWebhookOptions({ retryDelaysMs: [10], requestTimeoutMs: 50 })).toMatchObject({ retryDelaysMs: [10], requestTimeoutMs: 50, retryJitter: 0.2 });
    expect(() => resolveWebhookOptions({ retryDelaysMs: [-1] })).toThrow(/retryDelaysMs/);
    expect(() => resolveWebhookOptions({ retryJitter: 1 })).toThrow(/retryJitter/);
    expect(() => resolveWebhookOptions({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => resolveWebhookOptions({ disableAfterMs: -5 })).toThrow(/disableAfterMs/);
  });

  it('accepts whsec_ secrets of 24 to 64 bytes only', () => {
    expect(secretProblem(`whsec_${Buffer.alloc(24).toString('base64')}`)).toBeUndefined();
    expect(secretProblem(`whsec_${Buffer.alloc(64).toString('base64')}`)).toBeUndefined();
    expect(secretProblem(`whsec_${Buffer.alloc(23).toString('base64')}`)).toMatch(/24-64/);
    expect(secretProblem(`whsec_${Buffer.alloc(65).toString('base64')}`)).toMatch(/24-64/);
    expect(secretProblem(Buffer.alloc(32).toString('base64'))).toMatch(/whsec_/);
  });

  it('rotates: the new secret first, the previous ones until the grace period ends', () => {
    let secrets = [{ value: 'whsec_a', createdAt: NOW }];
    secrets = rotateSecrets(secrets, 'whsec_b', NOW + 10, 1000);
    expect(signingSecrets({ secrets }, NOW + 20)).toEqual(['whsec_b', 'whsec_a']);
    expect(previousSecretExpiresAt({ secrets }, NOW + 20)).toBe(NOW + 1010);
    expect(signingSecrets({ secrets }, NOW + 1010)).toEqual(['whsec_b']);
    expect(previousSecretExpiresAt({ secrets }, NOW + 1010)).toBeUndefined();
    secrets = rotateSecrets(secrets, 'whsec_c', NOW + 20, 0);
    expect(signingSecrets({ secrets }, NOW + 20)).toEqual(['whsec_c']);
    for (let n = 0; n < 10; n += 1) secrets = rotateSecrets(secrets, `whsec_${n}`, NOW + 30, 60_000);
    expect(secrets).toHaveLength(5);
  });
});
