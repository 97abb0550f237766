/**
 * The closed set of error codes every part of the platform speaks: socket acks, REST bodies and the
 * client's typed errors all carry one of these. One table maps each code to its HTTP status.
 *
 * @example
 * if (err.code === ErrorCode.CONFLICT) reload();
 */
export const ErrorCode = {
  /** Missing, malformed, forged or otherwise unverifiable token (the reference SDK's name). */
  AUTH_FAILED: 'AUTH_FAILED',
  /** The token was valid but its `exp` has passed. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** A connection failed `auth:login` too often (`maxLoginAttempts`); the server closes it. */
  TOO_MANY_AUTH_ATTEMPTS: 'TOO_MANY_AUTH_ATTEMPTS',
  /** Authenticated, but the token's permissions do not allow the operation. */
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** Optimistic concurrency failure: `details` carries the current truth. */
  CONFLICT: 'CONFLICT',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A per-connection or per-resource cap (subscriptions, members, ...) was reached. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The server or the connection is not available; the request did not complete. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** No answer arrived within the request timeout. */
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL',
  /**
   * The client is offline: a request in flight was lost with the connection, or one made while
   * offline could not be kept (its queue full or its wait expired). deepstream's name.
   */
  CLIENT_OFFLINE: 'CLIENT_OFFLINE',
  /** No provider of the RPC is connected, or every one of them rejected the call. */
  NO_RPC_PROVIDER: 'NO_RPC_PROVIDER',
  /** A provider was offered an RPC call and neither accepted nor rejected it in time. */
  ACCEPT_TIMEOUT: 'ACCEPT_TIMEOUT',
  /** A provider accepted an RPC call and did not answer it in time. */
  RESPONSE_TIMEOUT: 'RESPONSE_TIMEOUT',
  /** The provider serving an RPC call went away (disconnected or unprovided) before answering. */
  RPC_PROVIDER_LOST: 'RPC_PROVIDER_LOST',
  /** The provider answered an RPC call with an error (`response.error(...)`); `details.error` carries it. */
  RPC_ERROR: 'RPC_ERROR',
  /** This connection already listens on that pattern. */
  LISTENER_EXISTS: 'LISTENER_EXISTS',
  /** This connection does not listen on that pattern (or is not the offered listener). */
  NOT_LISTENING: 'NOT_LISTENING',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * HTTP status for each error code, used by the REST API and by clients mapping HTTP answers back.
 *
 * @example
 * res.status(HTTP_STATUS_BY_CODE[err.code]);
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  AUTH_FAILED: 401,
  TOKEN_EXPIRED: 401,
  TOO_MANY_AUTH_ATTEMPTS: 429,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  PAYLOAD_TOO_LARGE: 413,
  LIMIT_EXCEEDED: 429,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
  INTERNAL: 500,
  CLIENT_OFFLINE: 503,
  NO_RPC_PROVIDER: 404,
  ACCEPT_TIMEOUT: 504,
  RESPONSE_TIMEOUT: 504,
  RPC_PROVIDER_LOST: 502,
  RPC_ERROR: 502,
  LISTENER_EXISTS: 409,
  NOT_LISTENING: 404,
};

/**
 * The serialised form of every error, on socket acks and in REST bodies.
 *
 * @example
 * const shape: ErrorShape = { code: 'NOT_FOUND', message: 'Document not found' };
 */
export interface ErrorShape {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * Whether a value is one of the registry's codes.
 *
 * @example
 * isErrorCode('CONFLICT'); // true
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCode, value);
}
