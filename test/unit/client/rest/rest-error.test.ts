import { describe, expect, it } from 'vitest';
import { AuthError, ConflictError, InternalError, LimitExceededError, NotFoundError, UnavailableError } from '../../../../client/index.js';
import { errorFromRestAnswer, retryAfterHeaderMs } from '../../../../client/rest/rest-error.js';

describe('errorFromRestAnswer', () => {
  it('rebuilds the typed error of the server body, details included, as the socket client does', () => {
    const conflict = errorFromRestAnswer(409, {
      error: 'ConflictError',
      code: 'CONFLICT',
      message: 'Revision mismatch',
      details: { current: { id: 'n1', revision: 3 } },
    });
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ name: 'ConflictError', code: 'CONFLICT', message: 'Revision mismatch', details: { current: { id: 'n1', revision: 3 } } });

    const limited = errorFromRestAnswer(429, { error: 'LimitExceededError', code: 'RATE_LIMITED', message: 'Slow down', details: { retryAfterMs: 250 } });
    expect(limited).toBeInstanceOf(LimitExceededError);
    expect((limited as LimitExceededError).retryAfterMs).toBe(250);
    expect(errorFromRestAnswer(401, { code: 'TOKEN_EXPIRED', message: 'expired' })).toMatchObject({ name: 'AuthError', code: 'TOKEN_EXPIRED' });
  });

  it('takes the code from the HTTP status when the body is not the platform error body', () => {
    expect(errorFromRestAnswer(502, undefined)).toBeInstanceOf(UnavailableError);
    expect(errorFromRestAnswer(503, '<html>')).toMatchObject({ code: 'UNAVAILABLE', details: { status: 503 } });
    expect(errorFromRestAnswer(504, undefined)).toMatchObject({ name: 'UnavailableError', code: 'TIMEOUT' });
    expect(errorFromRestAnswer(404, { message: 'no' })).toBeInstanceOf(NotFoundError);
    expect(errorFromRestAnswer(401, undefined)).toBeInstanceOf(AuthError);
    expect(errorFromRestAnswer(418, undefined)).toBeInstanceOf(InternalError);
    expect(errorFromRestAnswer(500, { code: 'SOMETHING_ELSE', message: 'x' })).toMatchObject({ code: 'INTERNAL', details: { status: 500 } });
  });
});

describe('retryAfterHeaderMs', () => {
  it('reads delay-seconds and HTTP dates (RFC 9110 §10.2.3)', () => {
    expect(retryAfterHeaderMs('2')).toBe(2000);
    expect(retryAfterHeaderMs(' 0 ')).toBe(0);
    const now = Date.parse('Wed, 02 Dec 2026 06:00:00 GMT');
    expect(retryAfterHeaderMs('Wed, 02 Dec 2026 06:00:03 GMT', now)).toBe(3000);
    expect(retryAfterHeaderMs('Wed, 02 Dec 2026 05:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(retryAfterHeaderMs(null)).toBeUndefined();
    expect(retryAfterHeaderMs('soon')).toBeUndefined();
    expect(retryAfterHeaderMs('-1')).toBeUndefined();
  });
});
