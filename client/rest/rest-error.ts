import { ErrorCode, InternalError, errorFromShape, isErrorCode, type RealtimeError } from '../../shared/index.js';

/**
 * The typed error of a non-2xx answer, the same class the socket client throws for the same
 * code: the server's REST error body `{ error, code, message, details? }` is the socket's
 * `ErrorShape` plus the class name, so it goes through `errorFromShape` (a `ConflictError` keeps
 * `details.current`, an `InvalidArgumentError` its `details.issues`, a `LimitExceededError` its
 * `retryAfterMs`). An answer without such a body (a proxy's HTML 502, say) gets the code its HTTP
 * status stands for, with `details: { status }`.
 *
 * @example
 * if (!response.ok) throw errorFromRestAnswer(response.status, await readJson(response));
 */
export function errorFromRestAnswer(status: number, body: unknown): RealtimeError {
  if (typeof body === 'object' && body !== null && isErrorCode((body as { code?: unknown }).code)) {
    const { code, message, details } = body as { code: ErrorCode; message?: unknown; details?: unknown };
    return errorFromShape(details === undefined ? { code, message } : { code, message, details });
  }
  const code = codeOfStatus(status);
  const message = `The server answered HTTP ${status} without an error body`;
  return code === ErrorCode.INTERNAL ? new InternalError(message, { details: { status } }) : errorFromShape({ code, message, details: { status } });
}

/**
 * How long a `Retry-After` header asks to wait, ms: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3); `undefined` when absent or unreadable.
 *
 * @example
 * retryAfterHeaderMs('2'); // 2000
 */
export function retryAfterHeaderMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP date format starts with the day's name; `Date.parse` alone reads "-1" as a year.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The code an HTTP status stands for, when the body does not say. */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.INVALID_ARGUMENT;
    case 401:
      return ErrorCode.AUTH_FAILED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.CONFLICT;
    case 413:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 502:
    case 503:
      return ErrorCode.UNAVAILABLE;
    case 504:
      return ErrorCode.TIMEOUT;
    default:
      return ErrorCode.INTERNAL;
  }
}
