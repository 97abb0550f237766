import type { Logger } from 'pino';
import type { DisconnectReason } from 'socket.io';
import { CLIENT_EVENT_NAMES, ErrorCode, UnavailableError, toRealtimeError, type ErrorShape, type Principal } from '../../shared/index.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { ResolvedLimits } from '../config.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { authenticateHandshake, expireSession, isLoggedIn, serveSessionRequests } from './session-handlers.js';
import { TokenExpirySchedule } from './token-expiry-schedule.js';
import { RequestTable, type RequestCheck } from '../kernel/request-table.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import type { SubscriptionIndex } from '../events/subscription-index.js';
import type { SyncService } from '../sync/sync-service.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { ChannelMessenger } from '../channels/channel-messenger.js';
import type { Feature } from '../kernel/feature.js';
import { serveOperations } from '../kernel/socket-requests.js';
import { requestShapeCheck } from './request-shape-guard.js';
import { batchBytesLimit, payloadDepthLimit, sessionLimits } from '../limits/session-limits.js';
import { rateLimitedError, type RateLimits } from '../limits/rate-limits.js';
import type { PlatformServices } from '../composition-root.js';
import { ConnectionLimit, admitConnections } from '../limits/connection-limit.js';
import type { AuthHookOptions } from '../auth/auth-hook.js';
import { DEFAULT_LIMITS } from '../config.js';
import { SERVER_INFO } from '../package-info.js';
import { serveBatches } from './batch-requests.js';
import { checkHeartbeatDeclaration, watchHeartbeats } from './heartbeat-watchdog.js';
import { quarantine, refuseRepeatedLogin } from './login-gate.js';

/** What the gateway is built from. */
export interface RealtimeGatewayOptions {
  io: RealtimeIo;
  verifier: TokenVerifier;
  logger: Logger;
  limits: ResolvedLimits;
  /** The services its handlers call, built by the composition root (`buildServices`). */
  services: Pick<PlatformServices, 'subscriptions' | 'publisher' | 'sync' | 'presence' | 'messenger' | 'rateLimits'> &
    Partial<Pick<PlatformServices, 'metrics'>>;
  /** The features whose operations every connection serves (`buildFeatures`). */
  features: readonly Feature[];
  /** Whether other nodes share this one through the Redis adapter. @default false */
  clustered?: boolean;
  /** Where `auth:login { params }` is checked (deepstream's HTTP auth); none: only tokens log in. */
  authHook?: AuthHookOptions;
  /** Checks every request passes first, before the shape check (the drain's `trackRequest`). */
  requestChecks?: readonly RequestCheck[];
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(CLIENT_EVENT_NAMES);
/** Left by the request shape guard to the batch handler, which checks each entry as if sent alone. */
const BATCH_EVENT: ReadonlySet<string> = new Set(['batch']);

/** A connection opening or closing, as {@link RealtimeGateway.onConnectionEvent} listeners see it. */
export interface ConnectionEvent {
  type: 'connect' | 'disconnect';
  connectionId: string;
  principal: Principal;
  /**
   * Why it closed: Socket.IO's disconnect reason (`'server namespace disconnect'` when this server
   * closed it: token expired, draining; see `SERVER_DISCONNECT_REASONS`).
   */
  reason?: DisconnectReason;
}

/**
 * The Socket.IO side of the server: authenticates connections, serves every feature's operations
 * on each one (through the permission gate, see `kernel/operation.ts`), serves batches of them,
 * and answers unknown events with a typed error instead of ignoring them. A connection that opens
 * without a token is quarantined until its `auth:login` (`login-gate.ts`), then set up exactly as
 * one that sent it in the handshake (`openSession`). It builds no service: it is given them (see
 * `composition-root.ts`).
 *
 * @example
 * const services = buildServices({ config: {}, io, logger, limits });
 * const gateway = new RealtimeGateway({ io, verifier, logger, limits, services, features: buildFeatures({ services, limits, logger }) });
 * gateway.publisher.publish({ realm: 'demo', topic: 'order.updated', source: 'api', type: 'api.publish', payload: {} });
 */
export class RealtimeGateway {
  readonly subscriptions: SubscriptionIndex;
  readonly publisher: EventPublisher;
  readonly sync: SyncService;
  readonly presence: PresenceService;
  readonly messenger: ChannelMessenger;
  readonly rateLimits: RateLimits;

  constructor(private readonly options: RealtimeGatewayOptions) {
    const { io, verifier, services } = options;
    this.subscriptions = services.subscriptions;
    this.publisher = services.publisher;
    this.sync = services.sync;
    this.presence = services.presence;
    this.messenger = services.messenger;
    this.rateLimits = services.rateLimits;
    io.use(checkHeartbeatDeclaration());
    io.use(authenticateHandshake(verifier));
    io.use((socket, next) => this.admitPendingLogin(socket, next));
    // Registered before the client hears it is connected, so every node can find it at once.
    // ... admitted only within the user's connection limit (see ConnectionLimit).
    const connectionLimit = new ConnectionLimit({
      rateLimits: this.rateLimits,
      userConnections: (realm, userId) => this.presence.userConnections(realm, userId),
      clustered: options.clustered ?? false,
      logger: options.logger,
    });
    this.connectionLimit = connectionLimit;
    io.use(admitConnections(connectionLimit, this.presence));
    // Every request a logged-in connection serves, built once for all of them (see RequestTable).
    // Before every handler: nesting depth and `__proto__` keys are checked first (a batch's
    // entries each on their own, by the batch handler).
    const { logger, limits } = options;
    this.requests = new RequestTable({
      unknownEvent: { known: KNOWN_EVENTS, answer: answerUnknownEvent },
      checks: [...(options.requestChecks ?? []), requestShapeCheck(payloadDepthLimit(limits), BATCH_EVENT)],
    });
    this.expiries = new TokenExpirySchedule((socket) => expireSession(socket, logger));
    serveSessionRequests(this.requests, { io, logger, verifier, subscriptions: this.subscriptions, presence: this.presence, expiries: this.expiries });
    for (const feature of options.features) {
      if (feature.operations !== undefined)
        serveOperations(this.requests, feature.operations, {
          logger,
          rateLimits: this.rateLimits,
          ...(services.metrics === undefined ? {} : { metrics: services.metrics }),
        });
    }
    serveBatches(
      this.requests,
      {
        maxBatchEntries: limits.maxBatchEntries ?? DEFAULT_LIMITS.maxBatchEntries,
        maxBatchBytes: batchBytesLimit(limits),
        maxPayloadDepth: payloadDepthLimit(limits),
      },
      logger,
    );
    const gateway = this;
    this.closeSession = function (this: RealtimeSocket, reason: DisconnectReason): void {
      gateway.sessionClosed(this, reason);
    };
    io.on('connection', (socket) => this.onConnection(socket));
  }

  private readonly requests: RequestTable;
  private readonly expiries: TokenExpirySchedule;
  /** Every open session's `disconnect` listener (one function; the connection is its `this`). */
  private readonly closeSession: (this: RealtimeSocket, reason: DisconnectReason) => void;

  private readonly connectionLimit: ConnectionLimit;
  /** Connections on this node waiting for their `auth:login`. */
  private pendingLogins = 0;

  private readonly connectionListeners = new Set<(change: ConnectionEvent) => void>();

  /**
   * Calls `listener` when a connection on this node opens and when it closes. It runs on the
   * realtime path: it must return at once. Returns its disposer.
   */
  onConnectionEvent(listener: (change: ConnectionEvent) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Connections on this node. */
  get connectionCount(): number {
    return this.options.io.of('/').sockets.size;
  }

  private onConnection(socket: RealtimeSocket): void {
    const { logger, limits, verifier } = this.options;
    watchHeartbeats(socket, logger);
    if (isLoggedIn(socket)) {
      refuseRepeatedLogin(socket, logger);
      this.requests.serve(socket);
      this.openSession(socket);
      const { userId, realms, expiresAt } = socket.data.principal;
      // Last: the client counts as connected when this arrives, and every handler is in place.
      socket.emit('session:opened', { limits: sessionLimits(limits), ...SERVER_INFO, user: { userId, realms: [...realms], expiresAt } });
      return;
    }
    logger.debug({ socketId: socket.id }, 'connected without a token; waiting for its login');
    this.pendingLogins += 1;
    quarantine(socket, {
      verifier,
      logger,
      loginTimeoutMs: limits.loginTimeoutMs ?? DEFAULT_LIMITS.loginTimeoutMs,
      maxLoginAttempts: limits.maxLoginAttempts ?? DEFAULT_LIMITS.maxLoginAttempts,
      ...(this.options.authHook === undefined ? {} : { authHook: this.options.authHook }),
      admit: (loggedIn) => this.admitLogin(loggedIn),
      onLeave: () => {
        this.pendingLogins -= 1;
      },
    });
    // After the login gate, which lets nothing but `auth:login` on until the session is open.
    this.requests.serve(socket);
    socket.emit('session:opened', { limits: sessionLimits(limits), ...SERVER_INFO });
  }

  /**
   * Refuses a handshake without a token while this node already holds `maxPendingLogins`
   * connections waiting for their login (`RATE_LIMITED`, with `retryAfterMs`).
   */
  private admitPendingLogin(socket: RealtimeSocket, next: (err?: Error) => void): void {
    const limit = this.options.limits.maxPendingLogins ?? DEFAULT_LIMITS.maxPendingLogins;
    if (isLoggedIn(socket) || this.pendingLogins < limit) {
      next();
      return;
    }
    const retryAfterMs = this.rateLimits.settings.connectionRetryAfterMs;
    const error = rateLimitedError(`Too many connections waiting for their login on this node (${limit}); retry in ${retryAfterMs} ms`, {
      action: 'logins',
      scope: 'node',
      limit,
      retryAfterMs,
    });
    next(Object.assign(new Error(error.message), { data: toRealtimeError(error).toJSON() }));
  }

  /**
   * What a handshake with a token gets before its connection opens, run at a login instead: the
   * user's connection limit and the presence registration (data providers included), then every
   * handler (`openSession`).
   */
  private async admitLogin(socket: RealtimeSocket): Promise<void> {
    await this.connectionLimit.admit({
      connectionId: socket.id,
      principal: socket.data.principal,
      register: () => this.presence.connect(socket),
      unregister: () => this.presence.disconnect(socket.id),
    });
    if (!socket.connected) {
      this.presence.disconnect(socket.id);
      throw new UnavailableError('The connection closed during its login');
    }
    this.openSession(socket);
  }

  /**
   * Sets up a connection that has its principal: its token expiry, each feature's connect hook,
   * and its cleanup (its requests are dispatched from the moment it connected, behind the login
   * gate when it had no token). Nothing here is a closure of its own: the listeners are shared by
   * every connection (an idle connection's heap is mostly what it holds for as long as it is open).
   */
  private openSession(socket: RealtimeSocket): void {
    this.options.logger.info({ socketId: socket.id, userId: socket.data.principal.userId, transport: socket.conn.transport.name }, 'connected');
    this.expiries.set(socket, socket.data.principal.expiresAt);
    for (const feature of this.options.features) feature.connect?.(socket);
    // One listener for every feature's cleanup (one each would pass Node's 10-listener warning).
    socket.on('disconnect', this.closeSession);
    this.notifyConnection({ type: 'connect', connectionId: socket.id, principal: socket.data.principal });
  }

  private sessionClosed(socket: RealtimeSocket, reason: DisconnectReason): void {
    const { logger, features } = this.options;
    this.expiries.delete(socket);
    for (const feature of features) {
      try {
        feature.disconnect?.(socket);
      } catch (err) {
        logger.error({ err, feature: feature.name }, 'a feature failed to clean up a closed connection');
      }
    }
    logger.info({ socketId: socket.id, userId: socket.data.principal.userId, reason }, 'disconnected');
    this.notifyConnection({ type: 'disconnect', connectionId: socket.id, principal: socket.data.principal, reason });
  }

  private notifyConnection(change: ConnectionEvent): void {
    for (const listener of this.connectionListeners) {
      try {
        listener(change);
      } catch (err) {
        this.options.logger.error({ err }, 'a connection listener failed');
      }
    }
  }
}

/**
 * Answers an event outside the wire contract with a typed `INVALID_ARGUMENT` (on its
 * acknowledgement, or as `protocol:error`) instead of ignoring it: the request table's listener
 * for such events, on every connection (the connection is its `this`).
 */
function answerUnknownEvent(this: RealtimeSocket, event: unknown, ...args: unknown[]): void {
  const name = String(event).slice(0, 100);
  const error: ErrorShape = { code: ErrorCode.INVALID_ARGUMENT, message: `Unknown event "${name}"`, details: { event: name } };
  const last = args[args.length - 1];
  if (typeof last === 'function') (last as (result: unknown) => void)({ ok: false, error });
  else this.emit('protocol:error', error);
}
