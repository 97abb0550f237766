import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ErrorCode,
  InternalError,
  InvalidArgumentError,
  LimitExceededError,
  UnavailableError,
  isRetryableRestFailure,
  restRetryDelay,
} from '../../../../client/index.js';

const rateLimited = (retryAfterMs?: number) =>
  new LimitExceededError('Too many requests', { code: ErrorCode.RATE_LIMITED, ...(retryAfterMs === undefined ? {} : { details: { retryAfterMs } }) });
const unavailable = new UnavailableError('Document storage is unavailable');
const timedOut = new UnavailableError('No answer', { code: ErrorCode.TIMEOUT });
const options = { attempts: 5, maxDelayMs: 5000 };
const middle = () => 0.5;

describe('isRetryableRestFailure', () => {
  it('retries RATE_LIMITED for every request: the server refused it before doing anything', () => {
    expect(isRetryableRestFailure(rateLimited(100), 'unsafe')).toBe(true);
    expect(isRetryableRestFailure(rateLimited(100), 'safe')).toBe(true);
  });

  it('retries UNAVAILABLE and TIMEOUT for reads only: a write may have taken effect', () => {
    for (const error of [unavailable, timedOut]) {
      expect(isRetryableRestFailure(error, 'safe')).toBe(true);
      expect(isRetryableRestFailure(error, 'unsafe')).toBe(false);
    }
  });

  it('never retries a cap, an answer about the request itself, or an unknown value', () => {
    const cap = new LimitExceededError('at most 100 endpoints', { code: ErrorCode.LIMIT_EXCEEDED });
    for (const error of [cap, new ConflictError('stale'), new InvalidArgumentError('bad'), new InternalError('boom'), new Error('plain'), 'text']) {
      expect(isRetryableRestFailure(error, 'safe')).toBe(false);
    }
  });
});

describe('restRetryDelay', () => {
  it('backs off exponentially from about 100 ms, with jitter, up to maxDelayMs', () => {
    expect([1, 2, 3, 4].map((attempt) => restRetryDelay({ error: unavailable }, attempt, { attempts: 10, maxDelayMs: 5000 }, 'safe', middle))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(restRetryDelay({ error: unavailable }, 1, options, 'safe', () => 0)).toBe(50);
    expect(restRetryDelay({ error: unavailable }, 1, options, 'safe', () => 0.999)).toBe(150);
    expect(restRetryDelay({ error: unavailable }, 9, { attempts: 10, maxDelayMs: 1000 }, 'safe', () => 0.999)).toBe(1000);
  });

  it('stops once the attempts are used up', () => {
    expect(restRetryDelay({ error: unavailable }, 2, { attempts: 3, maxDelayMs: 5000 }, 'safe', middle)).toBe(200);
    expect(restRetryDelay({ error: unavailable }, 3, { attempts: 3, maxDelayMs: 5000 }, 'safe', middle)).toBeUndefined();
    expect(restRetryDelay({ error: rateLimited(10) }, 1, { attempts: 1, maxDelayMs: 5000 }, 'safe', middle)).toBeUndefined();
  });

  it('does not retry what the policy refuses', () => {
    expect(restRetryDelay({ error: unavailable }, 1, options, 'unsafe', middle)).toBeUndefined();
    expect(restRetryDelay({ error: new ConflictError('stale') }, 1, options, 'safe', middle)).toBeUndefined();
  });

  it('never waits less than the retryAfterMs of the body, plus up to 20% jitter', () => {
    expect(restRetryDelay({ error: rateLimited(800) }, 1, options, 'unsafe', () => 0)).toBe(800);
    expect(restRetryDelay({ error: rateLimited(800) }, 1, options, 'unsafe', middle)).toBe(880);
    expect(restRetryDelay({ error: rateLimited(800) }, 1, options, 'unsafe', () => 0.999)).toBe(960);
    // A longer backoff wins over a short server wait.
    expect(restRetryDelay({ error: rateLimited(10) }, 4, options, 'unsafe', middle)).toBe(800);
  });

  it('reads the Retry-After header when the body names no wait, and prefers the body', () => {
    expect(restRetryDelay({ error: rateLimited(), retryAfterHeaderMs: 2000 }, 1, options, 'unsafe', () => 0)).toBe(2000);
    expect(restRetryDelay({ error: rateLimited(300), retryAfterHeaderMs: 2000 }, 1, options, 'unsafe', () => 0)).toBe(300);
    expect(restRetryDelay({ error: unavailable, retryAfterHeaderMs: 1000 }, 1, options, 'safe', () => 0)).toBe(1000);
  });

  it('gives up at once when the server asks for longer than maxDelayMs, and caps the jitter there', () => {
    expect(restRetryDelay({ error: rateLimited(6000) }, 1, options, 'unsafe', middle)).toBeUndefined();
    expect(restRetryDelay({ error: rateLimited(1) }, 1, { attempts: 3, maxDelayMs: 0 }, 'unsafe', middle)).toBeUndefined();
    expect(restRetryDelay({ error: rateLimited(5000) }, 1, options, 'unsafe', () => 0.999)).toBe(5000);
  });

  it('backs off without a server wait when a refusal names none', () => {
    expect(restRetryDelay({ error: rateLimited() }, 2, options, 'unsafe', middle)).toBe(200);
  });
});
