import { MongoClientClosedError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InternalError, NotFoundError, UnavailableError } from '../../shared/index.js';
import { toStoreError } from '../../server/sync/mongo-errors.js';

// The driver's error classes, built directly (their constructors are internal but stable enough to
// stand in for what a live server answers; the contract suite covers the live paths).
describe('toStoreError', () => {
  it('maps duplicate key (11000) to ALREADY_EXISTS', () => {
    const err = toStoreError(new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error collection: secret.db' }));
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(err.message).not.toContain('secret');
  });

  it.each([
    ['a network error', new MongoNetworkError('connect ECONNREFUSED 10.0.0.1:27017')],
    ['a network timeout', new MongoNetworkTimeoutError('timed out to 10.0.0.1')],
    ['a closed client', new MongoClientClosedError()],
    ['a stepped-down primary (189)', new MongoServerError({ code: 189, errmsg: 'PrimarySteppedDown on host-a' })],
    ['a shutdown (91)', new MongoServerError({ code: 91, errmsg: 'shutdown in progress on host-a' })],
  ])('maps %s to UNAVAILABLE without its message', (_what, driverError) => {
    const err = toStoreError(driverError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(err.toJSON())).not.toMatch(/10\.0\.0\.1|host-a|ECONNREFUSED/);
    expect(err.cause).toBe(driverError);
  });

  it('maps a server selection error to UNAVAILABLE', () => {
    const selection = Object.create(MongoServerSelectionError.prototype) as MongoServerSelectionError;
    expect(toStoreError(selection)).toBeInstanceOf(UnavailableError);
  });

  it('maps anything else to INTERNAL with a generic message', () => {
    for (const other of [new MongoServerError({ code: 2, errmsg: 'BadValue: secret' }), new TypeError('secret'), 'secret']) {
      const err = toStoreError(other);
      expect(err).toBeInstanceOf(InternalError);
      expect(err.message).toBe('Document storage failed');
      expect(err.cause).toBe(other);
    }
  });

  it('passes platform errors through unchanged', () => {
    const notFound = new NotFoundError('nope');
    expect(toStoreError(notFound)).toBe(notFound);
  });
});
