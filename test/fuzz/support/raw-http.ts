import { randomBytes } from 'node:crypto';
import { type Agent, request as httpRequest } from 'node:http';

/** An HTTP answer: status, headers and the raw body. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends one request exactly as given (method, raw path with any percent-encoding, headers, body
 * bytes) with node:http, which unlike `fetch` neither normalises the path nor refuses odd
 * methods. Rejects on a transport error (reset, hang-up) or when no answer arrives in `timeoutMs`.
 *
 * @example
 * const { status } = await rawHttp(agent, 'http://127.0.0.1:3000', { method: 'GET', path: '/sdk/%ZZ', headers: {} });
 */
export function rawHttp(
  agent: Agent,
  baseUrl: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array },
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const req = httpRequest({ agent, host: url.hostname, port: url.port, method: request.method, path: request.path, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/**
 * Sends a WebSocket upgrade request for `path` (raw) and resolves with the answer: `101` when the
 * server switched protocols (the socket is closed at once), else the HTTP status and body. Rejects
 * when the connection is reset or closed without an answer, or nothing arrives in `timeoutMs`.
 *
 * @example
 * const { status, body } = await rawUpgrade('http://127.0.0.1:3000', '/nope');
 */
export function rawUpgrade(baseUrl: string, path: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path,
      timeout: timeoutMs,
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers, body: Buffer.alloc(0) });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
