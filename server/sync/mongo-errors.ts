import {
  MongoClientClosedError,
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { AlreadyExistsError, ErrorCode, InternalError, RealtimeError, UnavailableError } from '../../shared/index.js';

/** MongoDB's duplicate key error code (a unique index refused a write). */
export const DUPLICATE_KEY = 11000;

/** MongoDB's "not implemented / not supported" code; FerretDB answers it for TTL indexes. */
export const NOT_IMPLEMENTED = 238;

/**
 * Server error codes meaning "this server cannot serve you right now" (shutdown, failover,
 * network trouble seen by the server): the request may succeed later or on another node.
 */
const UNAVAILABLE_SERVER_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const UNAVAILABLE_LABELS: readonly string[] = [MongoErrorLabel.ResetPool, MongoErrorLabel.RetryableWriteError, MongoErrorLabel.SystemOverloadedError];

/**
 * Whether a driver error is a duplicate-key error (code 11000).
 *
 * @example
 * if (isDuplicateKeyError(err)) throw new AlreadyExistsError('exists');
 */
export function isDuplicateKeyError(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/**
 * Maps anything a MongoDB call threw to the platform's errors, never leaking the driver's message
 * (the original stays as `cause` for logs):
 * - `RealtimeError`s pass through;
 * - duplicate key (11000) → `AlreadyExistsError`;
 * - network, server selection, closed client, failover and shutdown errors → `UnavailableError`
 *   (`TIMEOUT` for a client-side operation timeout);
 * - anything else → `InternalError`.
 *
 * @example
 * try { await collection.insertOne(doc); } catch (err) { throw toStoreError(err); }
 */
export function toStoreError(err: unknown): RealtimeError {
  if (err instanceof RealtimeError) return err;
  if (isDuplicateKeyError(err)) return new AlreadyExistsError('Document already exists', { cause: err });
  if (err instanceof MongoOperationTimeoutError) {
    return new UnavailableError('Document storage timed out', { cause: err, code: ErrorCode.TIMEOUT });
  }
  if (isUnavailable(err)) return new UnavailableError('Document storage is unavailable', { cause: err });
  return new InternalError('Document storage failed', { cause: err });
}

function isUnavailable(err: unknown): boolean {
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoClientClosedError ||
    err instanceof MongoServerClosedError
  ) {
    return true;
  }
  if (!(err instanceof MongoError)) return false;
  if (typeof err.code === 'number' && UNAVAILABLE_SERVER_CODES.has(err.code)) return true;
  return UNAVAILABLE_LABELS.some((label) => err.hasErrorLabel(label));
}
