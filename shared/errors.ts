import { AUTH_FAILURE_REASONS } from './connection-reasons.js';
import { ErrorCode, HTTP_STATUS_BY_CODE, isErrorCode, type ErrorShape } from './error-codes.js';

interface RealtimeErrorOptions {
  details?: unknown;
  cause?: unknown;
}

/**
 * Base class of every error the platform raises, on the server and in the client. Each subclass
 * pins its `name`; `code` is one of {@link ErrorCode}.
 *
 * @example
 * try { await client.publish('order.updated', {}); }
 * catch (err) { if (err instanceof RealtimeError) console.log(err.code); }
 */
export class RealtimeError extends Error {
  override readonly name: string = 'RealtimeError';
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: RealtimeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  /** The wire form: `{ code, message, details? }`. */
  toJSON(): ErrorShape {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Missing, invalid or expired credentials (`AUTH_FAILED`, `TOKEN_EXPIRED`). Stops reconnection.
 *
 * @example
 * client.on('error', (err) => { if (err instanceof AuthError) renewLogin(); });
 */
export class AuthError extends RealtimeError {
  override readonly name = 'AuthError';
  constructor(code: typeof ErrorCode.AUTH_FAILED | typeof ErrorCode.TOKEN_EXPIRED, message: string, options?: RealtimeErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A connection failed `auth:login` too many times (`TOO_MANY_AUTH_ATTEMPTS`, the server's
 * `maxLoginAttempts`); the server closes it after this answer. Stops reconnection, as an
 * {@link AuthError} does. `details.attempts` is the number of failed logins.
 *
 * @example
 * await client.login({ token }).catch((err) => { if (err instanceof TooManyAuthAttemptsError) showLoginForm(); });
 */
export class TooManyAuthAttemptsError extends RealtimeError {
  override readonly name = 'TooManyAuthAttemptsError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.TOO_MANY_AUTH_ATTEMPTS, message, options);
  }
}

/**
 * The token is valid but does not permit the operation (`FORBIDDEN`).
 *
 * @example
 * throw new ForbiddenError('Missing C on topic/order.updated');
 */
export class ForbiddenError extends RealtimeError {
  override readonly name = 'ForbiddenError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.FORBIDDEN, message, options);
  }
}

/**
 * The named resource does not exist (`NOT_FOUND`).
 *
 * @example
 * throw new NotFoundError('Document notes/a not found');
 */
export class NotFoundError extends RealtimeError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.NOT_FOUND, message, options);
  }
}

/**
 * A resource with that id already exists (`ALREADY_EXISTS`).
 *
 * @example
 * throw new AlreadyExistsError('Document notes/a already exists');
 */
export class AlreadyExistsError extends RealtimeError {
  override readonly name = 'AlreadyExistsError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.ALREADY_EXISTS, message, options);
  }
}

/**
 * An optimistic-concurrency check failed (`CONFLICT`); `details` carries the current state.
 *
 * @example
 * if (err instanceof ConflictError) retryWith(err.details);
 */
export class ConflictError extends RealtimeError {
  override readonly name = 'ConflictError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.CONFLICT, message, options);
  }
}

/**
 * The request was malformed (`INVALID_ARGUMENT`); `details.issues` lists what was wrong.
 *
 * @example
 * throw new InvalidArgumentError('topic must be dot-separated lowercase segments');
 */
export class InvalidArgumentError extends RealtimeError {
  override readonly name = 'InvalidArgumentError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.INVALID_ARGUMENT, message, options);
  }
}

/**
 * A payload exceeded its size limit (`PAYLOAD_TOO_LARGE`).
 *
 * @example
 * throw new PayloadTooLargeError('payload is 70000 bytes; the limit is 65536');
 */
export class PayloadTooLargeError extends RealtimeError {
  override readonly name = 'PayloadTooLargeError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, message, options);
  }
}

/**
 * A cap was reached (`LIMIT_EXCEEDED`) or requests came too fast (`RATE_LIMITED`).
 *
 * @example
 * throw new LimitExceededError('at most 1000 subscriptions per connection');
 */
export class LimitExceededError extends RealtimeError {
  override readonly name = 'LimitExceededError';
  constructor(message: string, options?: RealtimeErrorOptions & { code?: typeof ErrorCode.LIMIT_EXCEEDED | typeof ErrorCode.RATE_LIMITED }) {
    super(options?.code ?? ErrorCode.LIMIT_EXCEEDED, message, options);
  }

  /**
   * For `RATE_LIMITED`: how long to wait before trying again, ms (`details.retryAfterMs`);
   * `undefined` when the server named no wait.
   *
   * @example
   * if (err instanceof LimitExceededError && err.retryAfterMs !== undefined) setTimeout(retry, err.retryAfterMs);
   */
  get retryAfterMs(): number | undefined {
    const details = this.details as { retryAfterMs?: unknown } | undefined;
    const value = typeof details === 'object' && details !== null ? details.retryAfterMs : undefined;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  }
}

/**
 * The server or the connection could not serve the request (`UNAVAILABLE`) or did not answer in
 * time (`TIMEOUT`). Whether the operation took effect is unknown.
 *
 * @example
 * if (err instanceof UnavailableError) showOfflineBanner();
 */
export class UnavailableError extends RealtimeError {
  override readonly name = 'UnavailableError';
  constructor(message: string, options?: RealtimeErrorOptions & { code?: typeof ErrorCode.UNAVAILABLE | typeof ErrorCode.TIMEOUT }) {
    super(options?.code ?? ErrorCode.UNAVAILABLE, message, options);
  }
}

/**
 * An unexpected failure (`INTERNAL`); the message never carries internals to a client.
 *
 * @example
 * throw new InternalError('Internal server error');
 */
export class InternalError extends RealtimeError {
  override readonly name = 'InternalError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.INTERNAL, message, options);
  }
}

/**
 * The client is offline (`CLIENT_OFFLINE`): a request in flight was lost with the connection (an
 * RPC call, whose provider may or may not have run it), or one made while offline could not be
 * kept. deepstream's `CLIENT_OFFLINE`.
 *
 * @example
 * if (err instanceof ClientOfflineError) showOfflineBanner();
 */
export class ClientOfflineError extends RealtimeError {
  override readonly name = 'ClientOfflineError';
  constructor(message: string, options?: RealtimeErrorOptions) {
    super(ErrorCode.CLIENT_OFFLINE, message, options);
  }
}

/** The codes an RPC call can fail with, besides the generic ones (`FORBIDDEN`, `INVALID_ARGUMENT`, ...). */
export type RpcErrorCode =
  | typeof ErrorCode.NO_RPC_PROVIDER
  | typeof ErrorCode.ACCEPT_TIMEOUT
  | typeof ErrorCode.RESPONSE_TIMEOUT
  | typeof ErrorCode.RPC_PROVIDER_LOST
  | typeof ErrorCode.RPC_ERROR;

/**
 * An RPC call failed on the way to, or at, its provider: nobody provides it or every provider
 * rejected it (`NO_RPC_PROVIDER`), a provider did not accept (`ACCEPT_TIMEOUT`) or answer
 * (`RESPONSE_TIMEOUT`) in time, the provider went away mid-call (`RPC_PROVIDER_LOST`), or it
 * answered with an error (`RPC_ERROR`, the provider's error in `details.error`). `details.name`
 * names the RPC.
 *
 * @example
 * try { await client.rpc.make('add-two', { a: 1 }); }
 * catch (err) { if (err instanceof RpcError && err.code === 'NO_RPC_PROVIDER') retryLater(); }
 */
export class RpcError extends RealtimeError {
  override readonly name = 'RpcError';
  constructor(code: RpcErrorCode, message: string, options?: RealtimeErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A listen request named a pattern this connection already listens on (`LISTENER_EXISTS`), or
 * one it does not listen on (`NOT_LISTENING`).
 *
 * @example
 * if (err instanceof ListenerError && err.code === 'LISTENER_EXISTS') return;
 */
export class ListenerError extends RealtimeError {
  override readonly name = 'ListenerError';
  constructor(code: typeof ErrorCode.LISTENER_EXISTS | typeof ErrorCode.NOT_LISTENING, message: string, options?: RealtimeErrorOptions) {
    super(code, message, options);
  }
}

/**
 * Rebuilds the typed error for a wire `{ code, message, details? }`; unknown shapes become
 * `InternalError`.
 *
 * @example
 * const err = errorFromShape(ack.error); // e.g. a ConflictError
 */
export function errorFromShape(shape: unknown): RealtimeError {
  if (typeof shape !== 'object' || shape === null) {
    return new InternalError('Malformed error from server', { details: shape });
  }
  const { code, message, details } = shape as Partial<ErrorShape>;
  const text = typeof message === 'string' ? message : 'Unknown error';
  const options = details === undefined ? {} : { details };
  if (!isErrorCode(code)) return new InternalError(text, options);
  switch (code) {
    case ErrorCode.AUTH_FAILED:
    case ErrorCode.TOKEN_EXPIRED:
      return new AuthError(code, text, options);
    case ErrorCode.TOO_MANY_AUTH_ATTEMPTS:
      return new TooManyAuthAttemptsError(text, options);
    case ErrorCode.FORBIDDEN:
      return new ForbiddenError(text, options);
    case ErrorCode.NOT_FOUND:
      return new NotFoundError(text, options);
    case ErrorCode.ALREADY_EXISTS:
      return new AlreadyExistsError(text, options);
    case ErrorCode.CONFLICT:
      return new ConflictError(text, options);
    case ErrorCode.INVALID_ARGUMENT:
      return new InvalidArgumentError(text, options);
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return new PayloadTooLargeError(text, options);
    case ErrorCode.LIMIT_EXCEEDED:
    case ErrorCode.RATE_LIMITED:
      return new LimitExceededError(text, { ...options, code });
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.TIMEOUT:
      return new UnavailableError(text, { ...options, code });
    case ErrorCode.INTERNAL:
      return new InternalError(text, options);
    case ErrorCode.CLIENT_OFFLINE:
      return new ClientOfflineError(text, options);
    case ErrorCode.NO_RPC_PROVIDER:
    case ErrorCode.ACCEPT_TIMEOUT:
    case ErrorCode.RESPONSE_TIMEOUT:
    case ErrorCode.RPC_PROVIDER_LOST:
    case ErrorCode.RPC_ERROR:
      return new RpcError(code, text, options);
    case ErrorCode.LISTENER_EXISTS:
    case ErrorCode.NOT_LISTENING:
      return new ListenerError(code, text, options);
  }
}

/**
 * The same error with more `details` (kept as the same class), so that a listener knows which
 * subscription, channel or document it is about.
 *
 * @example
 * reportError(withErrorDetails(error, { subscriptionId: 'sub_1' }));
 */
export function withErrorDetails(error: RealtimeError, extra: Record<string, unknown>): RealtimeError {
  const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
  return errorFromShape({ ...error.toJSON(), details: { ...details, ...extra } });
}

/**
 * Any thrown value as a RealtimeError: typed errors pass through, anything else becomes a generic
 * `InternalError` whose message reveals nothing (the original is kept as `cause`).
 *
 * @example
 * catch (err) { ack({ ok: false, error: toRealtimeError(err).toJSON() }); }
 */
export function toRealtimeError(err: unknown): RealtimeError {
  if (err instanceof RealtimeError) return err;
  return new InternalError('Internal server error', { cause: err });
}

/**
 * Errors worth retrying as they are: the server was unavailable or slow, or a rate limit applied.
 *
 * @example
 * if (isRetryable(err)) await retryLater();
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof RealtimeError && RETRYABLE_CODES.has(err.code);
}

const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.RATE_LIMITED]);

/**
 * Errors that mean the credentials are unusable: reconnecting with the same token cannot help.
 *
 * @example
 * if (isAuthError(err)) stopReconnecting();
 */
export function isAuthError(err: unknown): err is AuthError | TooManyAuthAttemptsError {
  return err instanceof RealtimeError && AUTH_CODES.has(err.code);
}

const AUTH_CODES: ReadonlySet<ErrorCode> = new Set(AUTH_FAILURE_REASONS);

/**
 * Errors that mean the request was lost with the connection or never answered (`UNAVAILABLE`,
 * `TIMEOUT`, `CLIENT_OFFLINE`), so what it asked for is redone once the client is reconnected. Unlike
 * {@link isRetryable}, a `RATE_LIMITED` refusal is not one: the server answered.
 *
 * @example
 * if (isConnectionLoss(err)) return; // re-read after the reconnect
 */
export function isConnectionLoss(err: unknown): boolean {
  return err instanceof RealtimeError && CONNECTION_LOSS_CODES.has(err.code);
}

const CONNECTION_LOSS_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.CLIENT_OFFLINE]);
