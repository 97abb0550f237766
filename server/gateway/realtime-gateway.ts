import type { Logger } from 'pino';
import type { DisconnectReason } from 'socket.io';
import { CLIENT_EVENT_NAMES, ErrorCode, type ErrorShape, type Principal } from '../../shared/index.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { ResolvedLimits } from '../config.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { authenticateHandshake, registerSessionHandlers } from './session-handlers.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import type { SubscriptionIndex } from '../events/subscription-index.js';
import type { SyncService } from '../sync/sync-service.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { ChannelMessenger } from '../channels/channel-messenger.js';
import type { Feature } from '../kernel/feature.js';
import { serveOperations } from '../kernel/socket-requests.js';
import { requestShapeGuard } from './request-shape-guard.js';
import { payloadDepthLimit, sessionLimits } from '../limits/session-limits.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { PlatformServices } from '../composition-root.js';
import { ConnectionLimit, admitConnections } from '../limits/connection-limit.js';

/** What the gateway is built from. */
export interface RealtimeGatewayOptions {
  io: RealtimeIo;
  verifier: TokenVerifier;
  logger: Logger;
  limits: ResolvedLimits;
  /** The services its handlers call, built by the composition root (`buildServices`). */
  services: Pick<PlatformServices, 'subscriptions' | 'publisher' | 'sync' | 'presence' | 'messenger' | 'rateLimits'>;
  /** The features whose operations every connection serves (`buildFeatures`). */
  features: readonly Feature[];
  /** Whether other nodes share this one through the Redis adapter. @default false */
  clustered?: boolean;
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(CLIENT_EVENT_NAMES);

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
 * on each one (through the permission gate, see `kernel/operation.ts`), and answers unknown events
 * with a typed error instead of ignoring them. It builds no service: it is given them (see
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
    io.use(authenticateHandshake(verifier));
    // Registered before the client hears it is connected, so every node can find it at once.
    // ... admitted only within the user's connection limit (see ConnectionLimit).
    const connectionLimit = new ConnectionLimit({
      rateLimits: this.rateLimits,
      userConnections: (realm, userId) => this.presence.userConnections(realm, userId),
      clustered: options.clustered ?? false,
      logger: options.logger,
    });
    io.use(admitConnections(connectionLimit, this.presence));
    io.on('connection', (socket) => this.onConnection(socket));
  }

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
    const { io, logger, limits, verifier } = this.options;
    const { userId } = socket.data.principal;
    logger.debug({ socketId: socket.id, userId }, 'connected');
    // Before every handler: nesting depth and `__proto__` keys are checked first.
    socket.use(requestShapeGuard(socket, payloadDepthLimit(limits)));
    registerSessionHandlers(socket, { io, logger, verifier, subscriptions: this.subscriptions, presence: this.presence });
    for (const feature of this.options.features) {
      if (feature.operations !== undefined) serveOperations(socket, feature.operations, { logger, rateLimits: this.rateLimits });
      feature.connect?.(socket);
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      if (KNOWN_EVENTS.has(event)) return;
      const name = String(event).slice(0, 100);
      const error: ErrorShape = { code: ErrorCode.INVALID_ARGUMENT, message: `Unknown event "${name}"`, details: { event: name } };
      const last = args[args.length - 1];
      if (typeof last === 'function') (last as (result: unknown) => void)({ ok: false, error });
      else socket.emit('protocol:error', error);
    });
    socket.on('disconnect', (reason) => {
      logger.debug({ socketId: socket.id, userId, reason }, 'disconnected');
      this.notifyConnection({ type: 'disconnect', connectionId: socket.id, principal: socket.data.principal, reason });
    });
    this.notifyConnection({ type: 'connect', connectionId: socket.id, principal: socket.data.principal });
    // Last: the client counts as connected when this arrives, and every handler is in place.
    socket.emit('session:opened', { limits: sessionLimits(limits) });
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
