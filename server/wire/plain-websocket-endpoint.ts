import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResolvedLimits } from '../config.js';
import type { RealtimeIo } from '../socket-types.js';
import { useTransportFactory, type EngineRequest } from './engine-transports.js';
import { JsonWebSocket } from './json-websocket.js';
import { LastTranslationCache } from './last-translation-cache.js';

/**
 * Options of the plain WebSocket protocol (`ws` in the server options).
 *
 * @example
 * createRealtimeServer({ auth, ws: { path: '/realtime', maxPendingRequests: 64 } });
 */
export interface PlainWebSocketOptions {
  /**
   * The path clients connect to; `false` turns the protocol off (upgrades there then get a 404,
   * or go to the host's listeners when embedded).
   * @default '/ws'
   */
  path?: string | false;
  /**
   * Requests of one connection that may wait for their answer (or, before the session opened,
   * to be sent); more are answered `LIMIT_EXCEEDED` at once.
   * @default 256
   */
  maxPendingRequests?: number;
  /**
   * Most messages the server packs into one array frame.
   * @default 256
   */
  maxFrameMessages?: number;
  /**
   * A server frame takes no further message past this many bytes (a larger single message still
   * goes, alone).
   * @default 65536
   */
  maxFrameBytes?: number;
}

/**
 * {@link PlainWebSocketOptions} with every default applied.
 *
 * @example
 * const resolved: ResolvedPlainWebSocketOptions = resolvePlainWebSocketOptions({});
 */
export type ResolvedPlainWebSocketOptions = Required<PlainWebSocketOptions>;

/**
 * The defaults of {@link PlainWebSocketOptions}.
 *
 * @example
 * DEFAULT_PLAIN_WEBSOCKET_OPTIONS.path; // '/ws'
 */
export const DEFAULT_PLAIN_WEBSOCKET_OPTIONS: Readonly<ResolvedPlainWebSocketOptions> = Object.freeze({
  path: '/ws',
  maxPendingRequests: 256,
  maxFrameMessages: 256,
  maxFrameBytes: 64 * 1024,
});

/**
 * Checks and completes the options (a bad bound is a startup error, not a silent default).
 *
 * @example
 * resolvePlainWebSocketOptions({ path: '/realtime' }); // { path: '/realtime', maxPendingRequests: 256, ... }
 */
export function resolvePlainWebSocketOptions(options: PlainWebSocketOptions = {}): ResolvedPlainWebSocketOptions {
  const resolved: ResolvedPlainWebSocketOptions = { ...DEFAULT_PLAIN_WEBSOCKET_OPTIONS, ...options };
  if (resolved.path !== false && !/^\/[A-Za-z0-9_.~/-]*$/.test(resolved.path)) {
    throw new Error(`ws.path must be false or a path starting with "/" (got ${JSON.stringify(resolved.path)})`);
  }
  for (const key of ['maxPendingRequests', 'maxFrameMessages', 'maxFrameBytes'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) throw new Error(`ws.${key} must be a whole number of at least 1 (got ${value})`);
  }
  return resolved;
}

/**
 * Serves the plain WebSocket protocol (`/ws`) on `httpServer`: upgrades on its path are handed to
 * Socket.IO's engine as WebSocket connections whose transport speaks JSON messages
 * ({@link JsonWebSocket}). Returns the path served, or `undefined` when turned off.
 *
 * Why through engine.io's own `handleUpgrade`: its checks apply as to any Socket.IO connection
 * (`allowRequest`, so a draining server refuses new `/ws` connections too; the frame limit,
 * `maxHttpBufferSize`). The request's query is replaced by engine's own (`EIO=4`,
 * `transport=websocket`): a client's `sid` or `EIO` must never reach engine.io (a `sid` would
 * make it an upgrade of someone else's session). Which requests are `/ws` ones is kept in a
 * WeakMap, a marker no query parameter can forge.
 *
 * @example
 * const path = servePlainWebSocket(io, httpServer, resolvePlainWebSocketOptions(), limits); // '/ws'
 */
export function servePlainWebSocket(
  io: RealtimeIo,
  httpServer: HttpServer,
  options: ResolvedPlainWebSocketOptions,
  limits: Pick<ResolvedLimits, 'maxBatchEntries'>,
): string | undefined {
  if (options.path === false) return undefined;
  const path = options.path.endsWith('/') && options.path.length > 1 ? options.path.slice(0, -1) : options.path;
  const plainRequests = new WeakMap<IncomingMessage, { token?: string; batch: boolean }>();
  const cache = new LastTranslationCache();

  useTransportFactory(io, (name, req, fallback) => {
    const request = plainRequests.get(req);
    if (request === undefined || name !== 'websocket') return fallback();
    plainRequests.delete(req);
    return new JsonWebSocket(req, {
      ...(request.token === undefined ? {} : { token: request.token }),
      batch: request.batch,
      maxPendingRequests: options.maxPendingRequests,
      maxClientFrameMessages: limits.maxBatchEntries,
      maxFrameMessages: options.maxFrameMessages,
      maxFrameBytes: options.maxFrameBytes,
      cache,
    });
  });

  const engine = io.engine as unknown as { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void };
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = parseUrl(req.url);
    if (url === undefined || (url.pathname !== path && url.pathname !== `${path}/`)) return;
    const token = url.searchParams.get('token') ?? undefined;
    plainRequests.set(req, { ...(token === undefined ? {} : { token }), batch: url.searchParams.get('batch') !== '0' });
    (req as EngineRequest)._query = { EIO: '4', transport: 'websocket' };
    engine.handleUpgrade(req, socket, head);
  });
  return path;
}

/**
 * Whether `url` (a request's) is on `path`, the way {@link servePlainWebSocket} matches it.
 *
 * @example
 * isPlainWebSocketPath('/ws?token=x', '/ws'); // true
 */
export function isPlainWebSocketPath(url: string | undefined, path: string): boolean {
  const pathname = parseUrl(url)?.pathname;
  return pathname === path || pathname === `${path}/`;
}

function parseUrl(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
