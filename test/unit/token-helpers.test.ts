import { describe, expect, it } from 'vitest';
import { decodeToken, getTokenExpiresIn, isTokenExpired, shouldRefreshToken } from '../../client/index.js';
import { signToken } from '../../server/index.js';

const secret = 'a-test-secret-that-is-at-least-32-chars';

describe('token helpers', () => {
  it('decodes claims without verifying', async () => {
    const token = await signToken({ sub: 'alice', secret, claims: { realm: 'demo' } });
    expect(decodeToken(token)).toMatchObject({ sub: 'alice', realm: 'demo' });
    expect(() => decodeToken('garbage')).toThrow(expect.objectContaining({ code: 'AUTH_FAILED' }));
  });

  it('tells the time left, expiry and when to refresh', async () => {
    const token = await signToken({ sub: 'alice', secret, expiresIn: 120 });
    const exp = (decodeToken(token).exp as number) * 1000;
    expect(getTokenExpiresIn(token, exp - 5000)).toBe(5000);
    expect(isTokenExpired(token, exp - 1)).toBe(false);
    expect(isTokenExpired(token, exp)).toBe(true);
    expect(shouldRefreshToken(token, { now: exp - 61_000 })).toBe(false);
    expect(shouldRefreshToken(token, { now: exp - 59_000 })).toBe(true);
    expect(shouldRefreshToken(token, { now: exp - 100_000, thresholdMs: 120_000 })).toBe(true);
  });
});
