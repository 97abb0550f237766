import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../client/index.js';

describe('backoffDelay', () => {
  const base = { baseDelay: 1000, maxDelay: 30_000, randomizationFactor: 0 };

  it('doubles from the base delay and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, base))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffDelay(1000, base)).toBe(30_000);
  });

  it('spreads delays by the randomization factor', () => {
    const options = { ...base, randomizationFactor: 0.5 };
    expect(backoffDelay(2, { ...options, random: () => 0 })).toBe(1000);
    expect(backoffDelay(2, { ...options, random: () => 0.5 })).toBe(2000);
    expect(backoffDelay(2, { ...options, random: () => 0.999999 })).toBe(3000);
  });

  it('never exceeds the maximum, even with jitter', () => {
    expect(backoffDelay(10, { ...base, randomizationFactor: 1, random: () => 0.99 })).toBe(30_000);
  });

  it('waits at least the delay the server asked for (a rate-limited handshake), with jitter above it', () => {
    expect(backoffDelay(1, { ...base, minDelay: 5000 })).toBe(5000);
    expect(backoffDelay(1, { ...base, randomizationFactor: 0.5, minDelay: 5000, random: () => 0.5 })).toBe(6250);
    expect(backoffDelay(1, { ...base, maxDelay: 2000, minDelay: 5000 })).toBe(5000);
    expect(backoffDelay(6, { ...base, minDelay: 500 })).toBe(30_000);
  });

  it('accepts a zero base delay', () => {
    expect(backoffDelay(3, { ...base, baseDelay: 0 })).toBe(0);
  });
});
