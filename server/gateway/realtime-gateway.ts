import type { Logger } from 'pino';
import type { DisconnectReason } from 'socket.io';
import { CLIENT_EVENT_NAMES, ErrorCode, UnavailableError, toRealtimeError, type ErrorShape, type Principal } from '../../shared/index.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { ResolvedLimits } from '../config.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { authenticateHandshake, isLoggedIn, registerSessionHandlers } from './session-handlers.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import type { SubscriptionIndex } from '../events/subscription-index.js';
import type { SyncService } from '../sync/sync-service.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { ChannelMessenger } from '../channels/channel-messenger.js';
import type { Feature } from '../kernel/feature.js';
import { serveOperations } from '../kernel/socket-requests.js';
import { requestShapeGuard } from './request-shape-guard.js';
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
  services: Pick<PlatformServices, 'subscriptions' | 'publisher' | 'sync' | 'presence' | 'messenger' | 'rateLimits'> & Partial<Pick<PlatformServices, 'metrics'>>;
  /** The features whose operations every connection serves (`buildFeatures`). */
  features: readonly Feature[];
  /** Whether other nodes share this one through the Redis adapter. @default false */
  clustered?: boolean;
  /** Where `auth:login { params }` is checked (deepstream's HTTP auth); none: only tokens log in. */
  authHook?: AuthHookOptions;
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
    io.on('connection', (socket) => this.onConnection(socket));
  }

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
    // Before every handler: nesting depth and `__proto__` keys are checked first (a batch's
    // entries each on their own, by the batch handler).
    socket.use(requestShapeGuard(socket, payloadDepthLimit(limits), BATCH_EVENT));
    watchHeartbeats(socket, logger);
    if (isLoggedIn(socket)) {
      refuseRepeatedLogin(socket, logger);
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

  /** Sets up a connection that has its principal: every handler, cleanup and connection listeners. */
  private openSession(socket: RealtimeSocket): void {
    const { io, logger, limits, verifier } = this.options;
    const { userId } = socket.data.principal;
    logger.info({ socketId: socket.id, userId, transport: socket.conn.transport.name }, 'connected');
    registerSessionHandlers(socket, { io, logger, verifier, subscriptions: this.subscriptions, presence: this.presence });
    for (const feature of this.options.features) {
      if (feature.operations !== undefined) serveOperations(socket, feature.operations, { logger, rateLimits: this.rateLimits, ...(this.options.services.metrics === undefined ? {} : { metrics: this.options.services.metrics }) });
      feature.connect?.(socket);
    }
    serveBatches(
      socket,
      {
        maxBatchEntries: limits.maxBatchEntries ?? DEFAULT_LIMITS.maxBatchEntries,
        maxBatchBytes: batchBytesLimit(limits),
        maxPayloadDepth: payloadDepthLimit(limits),
      },
      logger,
    );
    socket.onAny((event: string, ...args: unknown[]) => {
      if (KNOWN_EVENTS.has(event)) return;
      const name = String(event).slice(0, 100);
      const error: ErrorShape = { code: ErrorCode.INVALID_ARGUMENT, message: `Unknown event "${name}"`, details: { event: name } };
      const last = args[args.length - 1];
      if (typeof last === 'function') (last as (result: unknown) => void)({ ok: false, error });
      else socket.emit('protocol:error', error);
    });
    // One listener for every feature's cleanup (one each would pass Node's 10-listener warning).
    socket.on('disconnect', (reason) => {
      for (const feature of this.options.features) {
        try {
          feature.disconnect?.(socket);
        } catch (err) {
          logger.error({ err, feature: feature.name }, 'a feature failed to clean up a closed connection');
        }
      }
      logger.info({ socketId: socket.id, userId, reason }, 'disconnected');
      this.notifyConnection({ type: 'disconnect', connectionId: socket.id, principal: socket.data.principal, reason });
    });
    this.notifyConnection({ type: 'connect', connectionId: socket.id, principal: socket.data.principal });
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
