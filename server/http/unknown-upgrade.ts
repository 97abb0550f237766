import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { NotFoundError } from '../../shared/index.js';
import { isPlainWebSocketPath } from '../wire/plain-websocket-endpoint.js';
import type { RestErrorBody } from './error-handler.js';

/**
 * Answers WebSocket upgrade requests for any path but Socket.IO's (and the plain WebSocket
 * protocol's, `plainWebSocketPath`, when it is served) with `404 Not Found` and closes
 * the connection, the way an unknown REST route is answered. Socket.IO must be attached with
 * `destroyUpgrade: false`; otherwise it closes such connections a second later without a word,
 * which clients and proxies report as a reset rather than a wrong URL.
 *
 * @example
 * const io = new Server(httpServer, { destroyUpgrade: false });
 * answerUnknownUpgrades(httpServer, '/socket.io/', '/ws');
 */
export function answerUnknownUpgrades(httpServer: HttpServer, socketIoPath: string, plainWebSocketPath?: string): void {
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if ((req.url ?? '').startsWith(socketIoPath)) return;
    if (plainWebSocketPath !== undefined && isPlainWebSocketPath(req.url, plainWebSocketPath)) return;
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0]?.slice(0, 200) ?? '';
    const plain = plainWebSocketPath === undefined ? '' : `, the plain WebSocket protocol at ${plainWebSocketPath}`;
    const error = new NotFoundError(`No WebSocket endpoint at ${path}; Socket.IO is at ${socketIoPath}${plain}`);
    const body = JSON.stringify({ error: error.name, ...error.toJSON() } satisfies RestErrorBody);
    socket.end(
      [
        'HTTP/1.1 404 Not Found',
        'Connection: close',
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
    );
  });
}
