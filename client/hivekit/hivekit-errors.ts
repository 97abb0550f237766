import { HTTP_STATUS_BY_CODE, type RealtimeError, toRealtimeError } from '../../shared/index.js';

/**
 * How Hivekit rejects a request: a message and an HTTP-like status (`404` unknown realm, `409`
 * exists, `400` invalid, `401` bad token, `403` not allowed, `429` rate limited, `503`
 * unavailable). `error` keeps the platform's typed error (not enumerable, so that `toEqual({
 * message, code })` holds).
 *
 * @example
 * await realm.object.get('nope').catch((err: HivekitRequestError) => { if (err.code === 404) create(); });
 */
export interface HivekitRequestError {
  message: string;
  code: number;
  readonly error?: RealtimeError;
}

/**
 * A platform error as Hivekit code expects it.
 *
 * @example
 * promise.catch((err) => { throw toHivekitError(err); });
 */
export function toHivekitError(err: unknown): HivekitRequestError {
  if (isHivekitError(err)) return err;
  const error = toRealtimeError(err);
  const shaped: HivekitRequestError = { message: error.message, code: HTTP_STATUS_BY_CODE[error.code] ?? 500 };
  Object.defineProperty(shaped, 'error', { value: error, enumerable: false });
  return shaped;
}

/**
 * A Hivekit-style error made here (`unknown_field`, a bad argument): `{ message, code: 400 }`.
 *
 * @example
 * return Promise.reject(hivekitError('unknown field "foo"'));
 */
export function hivekitError(message: string, code = 400): HivekitRequestError {
  return { message, code };
}

/**
 * Runs a platform call and rejects the Hivekit way.
 *
 * @example
 * return hivekitCall(() => feed.cancel());
 */
export async function hivekitCall<T>(call: () => Promise<T> | T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toHivekitError(err);
  }
}

function isHivekitError(value: unknown): value is HivekitRequestError {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { code?: unknown }).code === 'number'
  );
}
