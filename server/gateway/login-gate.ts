import type { Logger } from 'pino';
import {
  AuthError,
  ConflictError,
  ErrorCode,
  TooManyAuthAttemptsError,
  UnavailableError,
  type ErrorShape,
  type LoginRequest,
  type LoginResult,
  type Principal,
} from '../../shared/index.js';
import { checkWithAuthHook, type AuthHookAcceptance, type AuthHookOptions } from '../auth/auth-hook.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { SharedListener } from '../kernel/request-table.js';
import { onSessionRequest, sessionRequestListener } from '../kernel/socket-requests.js';
import { SERVER_INFO } from '../package-info.js';
import type { RealtimeSocket } from '../socket-types.js';

type Packet = [event: string, ...args: unknown[]];

/** What the login gate of one connection needs. */
export interface LoginGateOptions {
  verifier: TokenVerifier;
  logger: Logger;
  /** How long a connection may stay quarantined, ms. */
  loginTimeoutMs: number;
  /** Failed logins after which the connection is told `TOO_MANY_AUTH_ATTEMPTS` and closed. */
  maxLoginAttempts: number;
  /** Where `{ params }` logins are checked; without it they fail `AUTH_FAILED`. */
  authHook?: AuthHookOptions;
  /**
   * Sets the logged-in connection up exactly as a handshake with a token would be (connection
   * limit, presence, every handler); throws to refuse it (the connection is then closed).
   */
  admit: (socket: RealtimeSocket) => Promise<void>;
  /** Called once when the connection leaves quarantine: logged in, or closed. */
  onLeave: () => void;
}

/**
 * Serves `auth:login` on a connection that opened without a token, and quarantines it until then.
 *
 * Why this exists: Hivekit and deepstream clients open the socket first and authenticate on it
 * (`authenticate(token)`, `login(authParams)`). Until its login such a connection has no
 * principal, so it must reach nothing: a middleware answers every other request `AUTH_FAILED`
 * ("log in first") before any handler sees it (no feature handler is even registered yet), and it
 * is not in presence, the connection limit, rooms or webhooks. A successful login runs
 * `admit`, which does what the handshake of a token-bearing connection does, in the same order,
 * before the login is acknowledged; from then on the connection is indistinguishable from one
 * that sent its token in the handshake.
 *
 * `{ token }` is verified as a handshake token is; `{ params }` goes to the auth hook
 * (`checkWithAuthHook`), whose answer becomes the principal. A hook that is down or slow
 * (`UNAVAILABLE`) is not a failed attempt; a refusal, or `{ params }` without a hook, is.
 *
 * Bounds: the connection is closed after `loginTimeoutMs` without a login (`auth:expired` with
 * `AUTH_FAILED` first), and after `maxLoginAttempts` failed ones (the last is answered
 * `TOO_MANY_AUTH_ATTEMPTS`, also sent as `auth:expired`). One login at a time: a second one while
 * the first is being verified is a `CONFLICT`.
 *
 * @example
 * quarantine(socket, { verifier, logger, loginTimeoutMs: 10_000, maxLoginAttempts: 5, admit, onLeave });
 */
export function quarantine(socket: RealtimeSocket, options: LoginGateOptions): void {
  const { logger, loginTimeoutMs, maxLoginAttempts } = options;
  let state: 'waiting' | 'verifying' | 'open' = 'waiting';
  let failures = 0;
  let left = false;
  const leave = (): void => {
    if (left) return;
    left = true;
    clearTimeout(timer);
    options.onLeave();
  };
  const timer = setTimeout(() => {
    if (state === 'open') return;
    logger.debug({ socketId: socket.id }, 'no login in time; disconnecting');
    socket.emit('auth:expired', new AuthError(ErrorCode.AUTH_FAILED, `No auth:login within ${loginTimeoutMs} ms`).toJSON());
    socket.disconnect(true);
  }, loginTimeoutMs);
  socket.on('disconnect', leave);

  socket.use((packet: Packet, next: (err?: Error) => void) => {
    const [event, ...args] = packet;
    if (state === 'open' || event === 'auth:login') {
      next();
      return;
    }
    const error: ErrorShape = new AuthError(
      ErrorCode.AUTH_FAILED,
      'Log in first: this connection opened without a token; send auth:login { token } or { params }',
    ).toJSON();
    const ack = args[args.length - 1];
    if (typeof ack === 'function') (ack as (result: unknown) => void)({ ok: false, error });
    else socket.emit('protocol:error', { ...error, details: { event: String(event).slice(0, 100) } });
  });

  onSessionRequest(socket, logger, 'auth:login', async (request): Promise<LoginResult> => {
    if (state === 'open') throw new ConflictError('This connection is logged in; auth:refresh replaces its token');
    if (state === 'verifying') throw new ConflictError('A login is already in progress on this connection');
    state = 'verifying';
    let accepted: AuthHookAcceptance;
    try {
      accepted = await authenticate(request, socket, options);
    } catch (err) {
      state = 'waiting';
      // The hook being down or slow says nothing about the credentials: not a failed attempt.
      if (err instanceof UnavailableError) throw err;
      failures += 1;
      if (failures < maxLoginAttempts) throw err;
      const error = new TooManyAuthAttemptsError(`${failures} failed logins on this connection; it is closed`, {
        details: { attempts: failures, limit: maxLoginAttempts },
        cause: err,
      });
      socket.emit('auth:expired', error.toJSON());
      closeAfterReply(socket);
      throw error;
    }
    if (!socket.connected) throw new UnavailableError('The connection closed during its login');
    const { principal, clientData } = accepted;
    socket.data.principal = principal;
    try {
      await options.admit(socket);
    } catch (err) {
      // Refused as a handshake with this token would be (too many connections of the user):
      // the connection closes and the client reconnects with the token in its handshake.
      closeAfterReply(socket);
      throw err;
    }
    state = 'open';
    leave();
    logger.debug({ socketId: socket.id, userId: principal.userId }, 'logged in');
    const result: LoginResult = { userId: principal.userId, realms: [...principal.realms], expiresAt: principal.expiresAt, ...SERVER_INFO };
    return clientData === undefined ? result : { ...result, clientData };
  });
}

/** Verifies a token, or asks the auth hook about params (never logging them). */
async function authenticate(request: LoginRequest, socket: RealtimeSocket, options: LoginGateOptions): Promise<AuthHookAcceptance> {
  if ('token' in request) {
    const principal: Principal = await options.verifier.verify(request.token);
    return { principal };
  }
  if (options.authHook === undefined) {
    throw new AuthError(ErrorCode.AUTH_FAILED, 'This server has no auth hook; log in with { token }');
  }
  const { 'user-agent': userAgent, origin } = socket.handshake.headers;
  const headers = {
    ...(typeof userAgent === 'string' ? { 'user-agent': userAgent } : {}),
    ...(typeof origin === 'string' ? { origin } : {}),
  };
  const remoteAddress = socket.handshake.address;
  return checkWithAuthHook(options.authHook, request.params, { ...(remoteAddress ? { remoteAddress } : {}), headers });
}

/**
 * Serves `auth:login` on a connection that sent its token in the handshake: it is logged in
 * already, so a login is a `CONFLICT` (`auth:refresh` replaces the token).
 *
 * @example
 * refuseRepeatedLogin(socket, logger);
 */
export function refuseRepeatedLogin(socket: RealtimeSocket, logger: Logger): void {
  let listener = REPEATED_LOGIN.get(logger);
  if (listener === undefined) {
    listener = sessionRequestListener(logger, 'auth:login', () => {
      throw new ConflictError('This connection is logged in; auth:refresh replaces its token');
    });
    REPEATED_LOGIN.set(logger, listener);
  }
  (socket as unknown as { on(event: string, listener: SharedListener): void }).on('auth:login', listener);
}

/** One refusing listener per logger, for every connection (a closure each cost every connection ~150 bytes). */
const REPEATED_LOGIN = new WeakMap<Logger, SharedListener>();

/**
 * Closes the connection once the answer being sent now has gone out: the acknowledgement is
 * written after the handler returns, so closing within it would lose the answer.
 */
function closeAfterReply(socket: RealtimeSocket): void {
  setImmediate(() => socket.disconnect(true));
}
