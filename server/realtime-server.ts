import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { RealtimeEvent } from '../shared/index.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { DEFAULT_LIMITS, type AuthOptions, type LimitOptions, type ResolvedLimits } from './config.js';
import type { EventDraft } from './gateway/event-publisher.js';
import { RealtimeGateway } from './gateway/realtime-gateway.js';
import type { RealtimeIo } from './gateway/socket-types.js';
import { createApp, type ReadinessReport } from './http/create-app.js';
import { answerUnknownUpgrades } from './http/unknown-upgrade.js';
import { ConnectionDrain } from './connection-drain.js';
import { createLogger } from './logger.js';
import { RedisCluster } from './cluster/redis-cluster.js';
import type { EventHistory, HistoryLimits } from './history/event-history.js';
import { MemoryEventHistory } from './history/memory-event-history.js';
import { RedisEventHistory } from './history/redis-event-history.js';
import type { DocumentStore } from './sync/document-store.js';
import type { PresenceStore } from './presence/presence-store.js';
import { RedisPresenceStore } from './presence/redis-presence-store.js';
import { MemoryDocumentStore } from './sync/memory-document-store.js';
import type { WebhookOptions } from './webhooks/webhook-options.js';
import { WebhookService } from './webhooks/webhook-service.js';
import { maxFrameBytes } from './gateway/session-limits.js';
import { RateLimits } from './limits/rate-limits.js';
import type { RateLimitOptions } from './limits/rate-limit-options.js';

/**
 * Options of {@link createRealtimeServer}.
 */
export interface RealtimeServerOptions {
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
   * Request rate limits (publishes, messages, subscribes, sync writes and presence per connection,
   * user and realm) and connections per user; shared through `redis` when clustered. On unless
   * `enabled: false`.
   * @default DEFAULT_RATE_LIMITS
   */
  rateLimits?: RateLimitOptions;
  /**
   * Where sync documents live; the server closes it on `close()`. A `MongoDocumentStore` keeps
   * them in MongoDB.
   * @default new MemoryDocumentStore() (embedded, in memory only)
   */
  documents?: DocumentStore;
  /**
   * Where channel membership, presence and data providers live (shared by every node of a cluster).
   * @default new RedisPresenceStore(...) with `redis`, else new MemoryPresenceStore() (this process only)
   */
  presenceStore?: PresenceStore;
  /** This node's id in the presence store; a random one when absent. */
  nodeId?: string;
  /**
   * Run as one node of a cluster sharing this Redis: cross-node rooms and broadcasts through
   * `@socket.io/redis-adapter`, event history and presence in Redis. Alone (in memory) when absent.
   */
  redis?: { url: string; keyPrefix?: string };
  /** How much recent history is kept for recovery: per stream, per realm and per node (see {@link HistoryLimits}). */
  history?: HistoryLimits;
  /**
   * Development mode: enables `POST /auth/dev-token` signed with `auth.secret`. Never in production.
   * @default false
   */
  developmentMode?: boolean;
  /**
   * Signed webhooks: the endpoint and delivery-queue store (a `MongoWebhookStore` survives
   * restarts), private-network policy, retry schedule and timeouts.
   * @default {} (in-memory store, private networks refused, 8 attempts over ~27.5 h)
   */
  webhooks?: WebhookOptions;
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
 * One platform process: Express REST API and Socket.IO on one port.
 *
 * @example
 * const server = createRealtimeServer({ port: 0, auth: { secret } });
 * const { url } = await server.listen();
 * await server.close();
 */
export class RealtimeServer {
  readonly app: Express;
  readonly io: RealtimeIo;
  readonly httpServer: HttpServer;
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
  private readonly connectionDrain: ConnectionDrain;
  private closing?: Promise<void>;

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
    this.httpServer = createServer((req, res) => this.app(req, res));
    this.io = new Server(this.httpServer, {
      cors: { origin: corsOrigins === '*' ? true : corsOrigins },
      // Transport frames above this close the connection (a Socket.IO rule), so it sits well
      // above the payload limit that requests are checked against with a typed error.
      maxHttpBufferSize: maxFrameBytes(this.limits),
      // Upgrades on other paths get a 404 (answerUnknownUpgrades) instead of a silent close.
      destroyUpgrade: false,
      allowRequest: (req, callback) => this.connectionDrain.allowRequest(req, callback),
    });
    this.connectionDrain = new ConnectionDrain(this.io, this.httpServer, this.logger);
    answerUnknownUpgrades(this.httpServer, '/socket.io/');
    this.documents = options.documents ?? new MemoryDocumentStore();
    let history: EventHistory | undefined;
    let presenceStore = options.presenceStore;
    if (options.redis !== undefined) {
      this.cluster = new RedisCluster({ ...options.redis, logger: this.logger });
      this.io.adapter(this.cluster.adapter());
      history = new RedisEventHistory(this.cluster.data, options.history, this.cluster.keyPrefix);
      presenceStore ??= new RedisPresenceStore(this.cluster.data, this.cluster.keyPrefix);
    }
    this.history = history ?? new MemoryEventHistory(options.history);
    const rateLimits = new RateLimits({
      logger: this.logger,
      ...(options.rateLimits === undefined ? {} : { limits: options.rateLimits }),
      ...(this.cluster === undefined ? {} : { redis: { client: this.cluster.data, keyPrefix: this.cluster.keyPrefix } }),
    });
    this.gateway = new RealtimeGateway({
      io: this.io,
      verifier,
      logger: this.logger,
      limits: this.limits,
      documents: this.documents,
      history: this.history,
      clustered: this.cluster !== undefined,
      rateLimits,
      ...(presenceStore === undefined ? {} : { presenceStore }),
      ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
    });
    this.webhooks = new WebhookService({
      ...options.webhooks,
      logger: this.logger,
      nodeId: this.gateway.presence.nodeId,
      publish: (draft) => this.gateway.publisher.publish(draft),
    });
    this.webhooks.attach({
      publisher: this.gateway.publisher,
      messenger: this.gateway.messenger,
      presence: this.gateway.presence,
      gateway: this.gateway,
    });
    this.app = createApp({
      verifier,
      publisher: this.gateway.publisher,
      sync: this.gateway.sync,
      presence: this.gateway.presence,
      messenger: this.gateway.messenger,
      webhooks: this.webhooks,
      logger: this.logger,
      limits: this.limits,
      rateLimits,
      corsOrigins,
      readiness: () => this.readiness(),
      staticFiles: {
        demo: options.developmentMode === true ? 'root' : options.demo === true ? 'path' : false,
        ...(options.sdkDirectory === undefined ? {} : { sdkDirectory: options.sdkDirectory }),
      },
      ...(options.developmentMode === true && options.auth.secret !== undefined
        ? { developmentSecret: options.auth.secret }
        : {}),
    });
  }

  /** Starts listening; resolves with the port and URL. */
  async listen(): Promise<ListeningAddress> {
    const { port = 3000, host } = this.options;
    // Fail fast on an unreachable database or Redis rather than on the first request.
    await this.documents.ready?.();
    await this.cluster?.connect();
    await this.webhooks.start();
    // This node is alive in the presence store before anyone can connect to it.
    await this.gateway.presence.start();
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

  /** The bound address (after {@link listen}). */
  address(): ListeningAddress {
    const info = this.httpServer.address() as AddressInfo | null;
    if (info === null) throw new Error('Server is not listening');
    const host = info.family === 'IPv6' ? (info.address === '::' ? 'localhost' : `[${info.address}]`) : info.address === '0.0.0.0' ? 'localhost' : info.address;
    return { port: info.port, url: `http://${host}:${info.port}` };
  }

  /** Which dependencies are reachable (`GET /ready`). */
  readiness(): ReadinessReport {
    const checks: ReadinessReport['checks'] = {};
    if (this.cluster !== undefined) checks.redis = this.cluster.status;
    const down = Object.values(checks).includes('down');
    return { status: this.connectionDrain.isDraining ? 'draining' : down ? 'degraded' : 'ready', checks };
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
      if (drainTimeoutMs > 0) {
        await this.connectionDrain.drain(deadline);
        // Past the deadline: REST requests still unanswered must not hold the close up.
        this.httpServer.closeAllConnections();
      }
      await this.io.close();
      this.httpServer.closeAllConnections();
      await this.gateway.presence.close();
      // After connections and presence closed (their last events are queued), before the documents.
      // Draining, attempts in flight get what is left of the drain time to finish.
      await this.webhooks.close(drainTimeoutMs > 0 ? { graceMs: Math.max(0, deadline - Date.now()) } : {});
      await this.documents.close();
      await this.history.close();
      await this.cluster?.close();
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
