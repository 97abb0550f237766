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
import { createApp } from './http/create-app.js';
import { createLogger } from './logger.js';

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
   * Development mode: enables `POST /auth/dev-token` signed with `auth.secret`. Never in production.
   * @default false
   */
  developmentMode?: boolean;
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
  private closing?: Promise<void>;

  constructor(private readonly options: RealtimeServerOptions) {
    if (options.developmentMode === true && options.auth.secret === undefined) {
      throw new Error('developmentMode needs auth.secret to sign development tokens');
    }
    this.logger = options.logger ?? createLogger('info');
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const verifier = new TokenVerifier(options.auth);
    const corsOrigins = options.corsOrigins ?? [];
    this.httpServer = createServer();
    this.io = new Server(this.httpServer, {
      cors: { origin: corsOrigins === '*' ? true : corsOrigins },
      // Transport frames above this close the connection (a Socket.IO rule), so it sits well
      // above the payload limit that requests are checked against with a typed error.
      maxHttpBufferSize: Math.max(1_000_000, this.limits.maxPayloadBytes * 4),
    });
    this.gateway = new RealtimeGateway({ io: this.io, verifier, logger: this.logger, limits: this.limits });
    this.app = createApp({
      verifier,
      publisher: this.gateway.publisher,
      logger: this.logger,
      limits: this.limits,
      corsOrigins,
      ...(options.developmentMode === true && options.auth.secret !== undefined
        ? { developmentSecret: options.auth.secret }
        : {}),
    });
    this.httpServer.on('request', this.app);
  }

  /** Starts listening; resolves with the port and URL. */
  async listen(): Promise<ListeningAddress> {
    const { port = 3000, host } = this.options;
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

  /** Publishes an event from the server itself (same path as `POST /api/events`). */
  publish(draft: EventDraft): RealtimeEvent {
    return this.gateway.publisher.publish(draft);
  }

  /** Disconnects every client and stops listening. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.io.close();
      this.httpServer.closeAllConnections();
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
