import { describe, expect, it } from 'vitest';
import * as client from '../../client/index.js';
import { ErrorCode, HTTP_STATUS_BY_CODE, RealtimeError, errorFromShape, isAuthError, isRetryable, toRealtimeError } from '../../shared/index.js';
import * as shared from '../../shared/index.js';

const errorClasses = Object.entries(shared).filter(
  ([, value]) => typeof value === 'function' && (value === RealtimeError || value.prototype instanceof RealtimeError),
) as [string, typeof RealtimeError][];

describe('error registry', () => {
  it('maps every code to an HTTP status', () => {
    for (const code of Object.values(ErrorCode)) expect(HTTP_STATUS_BY_CODE[code]).toBeGreaterThanOrEqual(400);
  });

  it('exports every error class from the client, each named after itself', () => {
    expect(errorClasses.length).toBeGreaterThanOrEqual(10);
    for (const [exportName, ErrorClass] of errorClasses) {
      expect(client).toHaveProperty(exportName, ErrorClass);
      expect(ErrorClass.name).toBe(exportName);
    }
    expect(new RealtimeError('INTERNAL', 'x').name).toBe('RealtimeError');
  });

  it('rebuilds the right class for every code, round-tripping through the wire shape', () => {
    for (const code of Object.values(ErrorCode)) {
      const error = errorFromShape({ code, message: `m-${code}`, details: { n: 1 } });
      expect(error.code).toBe(code);
      expect(error.message).toBe(`m-${code}`);
      expect(error.constructor.name).toBe(error.name);
      expect(errorClasses.map(([name]) => name)).toContain(error.name);
      expect(error.status).toBe(HTTP_STATUS_BY_CODE[code]);
      expect(errorFromShape(error.toJSON())).toEqual(error);
    }
  });

  it('turns unknown shapes and foreign errors into INTERNAL without leaking their message', () => {
    expect(errorFromShape({ code: 'WHAT', message: 'x' }).code).toBe('INTERNAL');
    expect(errorFromShape('boom').code).toBe('INTERNAL');
    const wrapped = toRealtimeError(new Error('connection string mongodb://user:pw@host'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.message).not.toMatch(/mongodb/);
    expect(wrapped.cause).toBeInstanceOf(Error);
  });

  it('classifies retryable and auth errors by code', () => {
    expect(isRetryable(errorFromShape({ code: 'UNAVAILABLE', message: '' }))).toBe(true);
    expect(isRetryable(errorFromShape({ code: 'TIMEOUT', message: '' }))).toBe(true);
    expect(isRetryable(errorFromShape({ code: 'CONFLICT', message: '' }))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
    expect(isAuthError(errorFromShape({ code: 'TOKEN_EXPIRED', message: '' }))).toBe(true);
    expect(isAuthError(errorFromShape({ code: 'FORBIDDEN', message: '' }))).toBe(false);
  });
});
