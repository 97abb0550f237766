import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { RealtimeEvent } from '../shared/index.js';
import type { AuthHookOptions } from './auth/auth-hook.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { DEFAULT_LIMITS, type AuthOptions, type LimitOptions, type ResolvedLimits } from './config.js';
import type { EventDraft } from './events/event-publisher.js';
import { RealtimeGateway } from './gateway/realtime-gateway.js';
import type { RealtimeIo } from './socket-types.js';
import { createApp, type ReadinessReport } from './http/create-app.js';
import { answerUnknownUpgrades } from './http/unknown-upgrade.js';
import { HostListeners } from './http/host-listeners.js';
import { ConnectionDrain } from './connection-drain.js';
import { createLogger } from './logger.js';
import type { EventHistory } from './history/event-history.js';
import type { DocumentStore } from './sync/document-store.js';
import type { WebhookService } from './webhooks/webhook-service.js';
import type { RedisCluster } from './cluster/redis-cluster.js';
import { attachGateway, buildFeatures, buildServices, closeServices, startServices, type PlatformServices, type ServiceConfig } from './composition-root.js';
import { maxFrameBytes } from './limits/session-limits.js';
import { installBatchedFrames, type BatchingOptions } from './wire/batched-frames.js';
import { guardSendQueues } from './wire/send-queue-guard.js';
import { resolvePlainWebSocketOptions, servePlainWebSocket, type PlainWebSocketOptions } from './wire/plain-websocket-endpoint.js';

/**
 * Options of {@link createRealtimeServer}.
 */
export interface RealtimeServerOptions extends ServiceConfig {
  /**
   * Port to listen on; `0` picks a free one.
   * @default 3000
   */
  port?: number;
  /** Interface to bind; all interfaces when absent. */
  host?: string;
  /** How tokens are verified. */
  auth: AuthOptions;
  /**
   * An HTTP auth hook: `auth:login { params }` (deepstream's `login(authParams)`) is POSTed to
   * `url` and logged in as it answers (README "Login after connect"). Without it only tokens log in.
   */
  authHook?: AuthHookOptions;
  /**
   * Browser origins allowed by CORS (REST and Socket.IO); `'*'` allows any.
   * @default []
   */
  corsOrigins?: string[] | '*';
  /**
   * The logger; a pino logger at `info` when absent.
   * @default createLogger('info')
   */
  logger?: Logger;
  /** Per-client caps. */
  limits?: LimitOptions;
  /**
   * Development mode: enables `POST /auth/dev-token` signed with `auth.secret`. Never in production.
   * @default false
   */
  developmentMode?: boolean;
  /**
   * Serve the demo app at `/demo/` (development mode serves it at `/` as well).
   * @default false
   */
  demo?: boolean;
  /**
   * Where the browser SDK bundles served under `/sdk/` are (`npm run build:browser` writes them).
   * @default '<package root>/dist/browser'
   */
  sdkDirectory?: string;
  /**
   * Embed in a host application: attach Socket.IO to this existing server instead of making one.
   * The host mounts {@link RealtimeServer.app} in its own Express app (`hostApp.use('/rt', server.app)`),
   * calls `httpServer.listen()` itself and {@link RealtimeServer.start} (not `listen()`). Create it
   * with the host's request handler (`http.createServer(hostApp)`) before this server: Socket.IO
   * then answers its own path and hands every other request to the host. Upgrades on other paths
   * are left to the host's `upgrade` listeners, and {@link RealtimeServer.close} detaches from the
   * server without closing it. `port` and `host` are ignored.
   * @default a server of its own, bound by `listen()`
   */
  httpServer?: HttpServer;
  /**
   * The Socket.IO path on the HTTP server (clients pass the same as their `path` option).
   * @default '/socket.io/'
   */
  socketPath?: string;
  /**
   * Batched frames: what is sent to one connection within a window (by default until the current
   * turn of the event loop ends, longer while the loop is busy, up to `busyWindowMs`) travels in
   * one websocket frame, for clients that ask for it (`RealtimeClient` does by default; README
   * "Batched frames"). `false` turns it off: one packet per frame for every client.
   * @default { windowMs: 0, busyWindowMs: 20 }
   */
  batching?: BatchingOptions | false;
  /**
   * The plain WebSocket protocol (`/ws`, README "Plain WebSocket protocol"): JSON messages for
   * clients without a Socket.IO library, over the same features. `{ path: false }` turns it off.
   * @default { path: '/ws', maxPendingRequests: 256, maxFrameMessages: 256, maxFrameBytes: 65536 }
   */
  ws?: PlainWebSocketOptions;
}

/** Options of {@link RealtimeServer.close}. */
export interface CloseOptions {
  /**
   * Drain before stopping, for at most this long (ms): refuse new connections, let requests in
   * flight (socket and REST) be answered, tell each client to reconnect (to another node, through
   * the balancer) once its requests are answered, and give webhook attempts in flight what time is
   * left. Whatever is still open at the deadline is closed. `0` stops at once.
   * @default 0
   */
  drainTimeoutMs?: number;
}

/** Where a listening server can be reached. */
export interface ListeningAddress {
  port: number;
  /** `http://<host>:<port>`, ready to give to a RealtimeClient. */
  url: string;
}

/**
 * One platform process: Express REST API and Socket.IO on one port, its own or a host's.
 *
 * @example
 * const server = createRealtimeServer({ port: 0, auth: { secret } });
 * const { url } = await server.listen();
 * await server.close();
 *
 * @example
 * // Embedded in an existing Express app and http.Server (see the `httpServer` option):
 * const httpServer = http.createServer(hostApp);
 * const server = createRealtimeServer({ httpServer, auth: { secret } });
 * hostApp.use('/rt', server.app); // /rt/health, /rt/api/..., Socket.IO at /socket.io/
 * await server.start();
 * httpServer.listen(8080);
 * await server.close(); // detaches; httpServer keeps listening
 */
export class RealtimeServer {
  readonly app: Express;
  readonly io: RealtimeIo;
  /** The HTTP server: this server's own, or the host's when embedded (`httpServer` option). */
  readonly httpServer: HttpServer;
  /** Whether the HTTP server is the host's (`httpServer` option): then only the host binds and closes it. */
  readonly embedded: boolean;
  readonly gateway: RealtimeGateway;
  readonly logger: Logger;
  readonly limits: ResolvedLimits;
  readonly documents: DocumentStore;
  /** The Redis connections when clustered. */
  readonly cluster?: RedisCluster;
  /** Recent events per topic and channel stream, for recovery (in Redis when clustered). */
  readonly history: EventHistory;
  /** Webhook endpoints and deliveries (`/api/webhooks`). */
  readonly webhooks: WebhookService;
  /** Every store and service of this server, as the composition root built them. */
  readonly services: PlatformServices;
  private readonly connectionDrain: ConnectionDrain;
  private closing?: Promise<void>;
  private starting?: Promise<void>;
  /** What this server added to the host's HTTP server, removed on close (embedded only). */
  private readonly hostListeners?: HostListeners;

  constructor(private readonly options: RealtimeServerOptions) {
    if (options.developmentMode === true && options.auth.secret === undefined) {
      throw new Error('developmentMode needs auth.secret to sign development tokens');
    }
    this.logger = options.logger ?? createLogger('info');
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const verifier = new TokenVerifier(options.auth);
    const corsOrigins = options.corsOrigins ?? [];
    // The app is handed over before Socket.IO attaches: Socket.IO keeps the listeners it finds and
    // calls them only for paths other than /socket.io/. A listener added after it would answer
    // long-polling requests too (with a 404, before Socket.IO could).
    this.embedded = options.httpServer !== undefined;
    const plainWebSocket = resolvePlainWebSocketOptions(options.ws);
    this.httpServer = options.httpServer ?? createServer((req, res) => this.app(req, res));
    const socketPath = options.socketPath ?? '/socket.io/';
    const hostListeners = this.embedded ? HostListeners.before(this.httpServer) : undefined;
    this.io = new Server(this.httpServer, {
      path: socketPath,
      cors: { origin: corsOrigins === '*' ? true : corsOrigins },
      // Transport frames above this close the connection (a Socket.IO rule), so it sits well
      // above the payload limit that requests are checked against with a typed error.
      maxHttpBufferSize: maxFrameBytes(this.limits),
      // Upgrades on other paths get a 404 (answerUnknownUpgrades) instead of a silent close.
      destroyUpgrade: false,
      allowRequest: (req, callback) => this.connectionDrain.allowRequest(req, callback),
    });
    // Per connection, below Socket.IO: every emit keeps its order, rooms and features are untouched.
    installBatchedFrames(this.io, options.batching, maxFrameBytes(this.limits));
    this.connectionDrain = new ConnectionDrain(
      this.io,
      this.httpServer,
      this.logger,
      this.embedded ? { ownsHttpServer: false, socketPath: engineIoPath(socketPath) } : {},
    );
    // `/ws`: a second transport into the same Socket.IO namespace (its upgrade listener is one of
    // this server's, so an embedded server removes it on close).
    const plainWebSocketPath = servePlainWebSocket(this.io, this.httpServer, plainWebSocket, this.limits);
    // Embedded, upgrades on other paths are the host's (its own WebSocket endpoints).
    if (hostListeners === undefined) answerUnknownUpgrades(this.httpServer, engineIoPath(socketPath), plainWebSocketPath);
    else this.hostListeners = hostListeners.settle();
    // Every store and service, chosen from the options in one place (see composition-root.ts).
    const services = buildServices({
      config: {
        ...options,
        ...(options.signingKeysSecret === undefined && options.auth.secret !== undefined ? { signingKeysSecret: options.auth.secret } : {}),
      },
      io: this.io,
      logger: this.logger,
      limits: this.limits,
    });
    verifier.useManagedKeys(services.signingKeys);
    guardSendQueues(this.io, {
      maxQueuedBytes: this.limits.maxQueuedBytesPerConnection ?? DEFAULT_LIMITS.maxQueuedBytesPerConnection ?? 4 * 1024 * 1024,
      logger: this.logger,
      onClosed: () => services.metrics.slowConsumerClosed(),
    });
    this.services = services;
    this.documents = services.documents;
    this.history = services.history;
    if (services.cluster !== undefined) this.cluster = services.cluster;
    this.webhooks = services.webhooks;
    // Every feature's operations and routes, over those services (one list: FEATURES).
    const features = buildFeatures({ services, limits: this.limits, logger: this.logger });
    this.gateway = new RealtimeGateway({
      io: this.io,
      verifier,
      logger: this.logger,
      limits: this.limits,
      services,
      features,
      clustered: this.cluster !== undefined,
      ...(options.authHook === undefined ? {} : { authHook: options.authHook }),
      requestChecks: [this.connectionDrain.trackRequest],
    });
    attachGateway(services, this.gateway);
    services.metrics.attachProbes({
      connections: () => this.gateway.connectionCount,
      subscriptions: () => services.subscriptions.total(),
      webhookQueueDepth: () => services.webhooks.waitingEvents,
      dependencies: () => this.dependencyHealth(),
    });
    this.gateway.onConnectionEvent((change) => {
      if (change.type === 'connect') services.metrics.connectionOpened();
      else services.metrics.connectionClosed(change.reason ?? 'unknown');
    });
    this.app = createApp({
      verifier,
      features,
      logger: this.logger,
      limits: this.limits,
      corsOrigins,
      readiness: () => this.readiness(),
      metrics: { registry: services.metrics, access: options.metrics ?? {} },
      tokens: { keys: services.signingKeys, ...(options.auth.secret === undefined ? {} : { fallbackSecret: options.auth.secret }) },
      staticFiles: {
        demo: options.developmentMode === true ? 'root' : options.demo === true ? 'path' : false,
        ...(options.sdkDirectory === undefined ? {} : { sdkDirectory: options.sdkDirectory }),
      },
      // Mounted in a host app: paths outside ours fall through to the host's routes and 404.
      notFound: this.embedded ? 'own' : 'all',
      ...(options.developmentMode === true && options.auth.secret !== undefined ? { developmentSecret: options.auth.secret } : {}),
    });
  }

  /**
   * Connects the stores and starts the services (documents, Redis, webhooks, presence) without
   * binding a port: what an embedded server (`httpServer` option) is started with, while the host
   * listens. `listen()` calls it; calling it again returns the first call's promise (a failed one
   * is not kept).
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      // Fails fast on an unreachable database or Redis; this node is in the presence store last.
      await startServices(this.services);
    })();
    // A failure is not kept: the next call tries again, as a failed listen() always could.
    this.starting.catch(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Starts the services and listens on `port`; resolves with the port and URL. Not for an embedded
   * server (its host listens): call {@link start} there.
   */
  async listen(): Promise<ListeningAddress> {
    if (this.embedded) {
      throw new Error("This server is embedded in the host's http.Server: the host listens; call start() instead of listen()");
    }
    const { port = 3000, host } = this.options;
    await this.start();
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(port, host, () => {
        this.httpServer.off('error', reject);
        resolve();
      });
    });
    const address = this.address();
    this.logger.info({ port: address.port }, 'listening');
    return address;
  }

  /** The bound address (after {@link listen}, or once the host's server listens when embedded). */
  address(): ListeningAddress {
    const info = this.httpServer.address() as AddressInfo | null;
    if (info === null) throw new Error('Server is not listening');
    const host = info.family === 'IPv6' ? (info.address === '::' ? 'localhost' : `[${info.address}]`) : info.address === '0.0.0.0' ? 'localhost' : info.address;
    return { port: info.port, url: `http://${host}:${info.port}` };
  }

  /** Which dependencies are reachable (`GET /ready`). */
  async readiness(): Promise<ReadinessReport> {
    const checks = await this.dependencyHealth();
    const down = Object.values(checks).includes('down');
    return { status: this.connectionDrain.isDraining ? 'draining' : down ? 'degraded' : 'ready', checks };
  }

  /** Redis (when clustered) and the document database (when it has one), checked now. */
  private async dependencyHealth(): Promise<ReadinessReport['checks']> {
    const checks: ReadinessReport['checks'] = {};
    if (this.cluster !== undefined) checks.redis = this.cluster.status;
    if (this.documents.health !== undefined) checks.mongodb = await this.documents.health();
    return checks;
  }

  /** Publishes an event from the server itself (same path as `POST /api/events`). */
  publish(draft: EventDraft): Promise<RealtimeEvent> {
    return this.gateway.publisher.publish(draft);
  }

  /**
   * Stops the server. With `drainTimeoutMs` it drains first (see {@link CloseOptions}); without,
   * it disconnects every client at once. Safe to call more than once (later calls get the first
   * call's promise).
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      const drainTimeoutMs = options.drainTimeoutMs ?? 0;
      const deadline = Date.now() + drainTimeoutMs;
      // No new database events once closing: what the sources publish still reaches the
      // connected clients, and their positions are saved before anything else stops.
      await this.services.databaseEvents.close();
      if (drainTimeoutMs > 0) {
        await this.connectionDrain.drain(deadline);
        // Past the deadline: REST requests still unanswered must not hold the close up.
        if (!this.embedded) this.httpServer.closeAllConnections();
      }
      if (this.hostListeners === undefined) {
        await this.io.close();
        this.httpServer.closeAllConnections();
      } else {
        // io.close() would close the host's server too: close the clients and the adapter only,
        // then give the host its listeners back as they were.
        this.io.engine.close();
        await this.io.of('/').adapter.close();
        this.hostListeners.restore();
      }
      // Presence, then webhooks (their last events are queued), then the stores and Redis. Draining,
      // webhook attempts in flight get what is left of the drain time to finish.
      await closeServices(this.services, drainTimeoutMs > 0 ? { graceMs: Math.max(0, deadline - Date.now()) } : {});
      this.logger.info('closed');
    })();
    return this.closing;
  }
}

/**
 * Creates a platform server (not yet listening).
 *
 * @example
 * const server = createRealtimeServer({ port: 3000, auth: { secret: process.env.JWT_SECRET } });
 * await server.listen();
 */
export function createRealtimeServer(options: RealtimeServerOptions): RealtimeServer {
  return new RealtimeServer(options);
}

/** Engine.io's form of a path (trailing slash), which requests are matched against. */
function engineIoPath(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
