import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import { RealtimeClient, type RealtimeClientOptions } from '../../client/index.js';
import { createRealtimeServer, signToken, type RealtimeServer, type RealtimeServerOptions } from '../../server/index.js';
import type { RealtimeClaims } from '../../shared/index.js';

/** Claims for a test token; `sub` defaults to `alice`, lifetime to one hour. */
export type TestClaims = Omit<RealtimeClaims, 'exp' | 'iat'> & { expiresIn?: string | number };

/**
 * A real server on port 0 with a random HS256 secret, plus helpers to mint tokens and to create
 * clients that are destroyed by {@link TestServer.close}.
 */
export interface TestServer {
  server: RealtimeServer;
  url: string;
  secret: string;
  token(claims?: TestClaims, options?: { secret?: string; kid?: string }): Promise<string>;
  /** A client destroyed on close; without `token` it opens quarantined, to `login()` on. */
  client(options?: Partial<RealtimeClientOptions>): RealtimeClient;
  /** A bare Socket.IO client, for speaking the wire protocol directly. */
  rawSocket(token: string): Promise<Socket>;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<RealtimeServerOptions> = {}): Promise<TestServer> {
  const secret = randomBytes(32).toString('base64url');
  const server = createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    auth: { secret },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...options,
  });
  const { url } = await server.listen();
  const clients = new Set<RealtimeClient>();
  const sockets = new Set<Socket>();

  return {
    server,
    url,
    secret,
    token: async (claims = {}, tokenOptions = {}) => {
      const { sub, expiresIn = '1h', ...rest } = claims;
      return signToken({
        sub: typeof sub === 'string' ? sub : 'alice',
        secret: tokenOptions.secret ?? secret,
        expiresIn,
        claims: rest,
        ...(tokenOptions.kid === undefined ? {} : { kid: tokenOptions.kid }),
      });
    },
    client: (clientOptions = {}) => {
      const client = new RealtimeClient({ url, reconnectionDelay: 50, reconnectionDelayMax: 200, ...clientOptions });
      clients.add(client);
      return client;
    },
    rawSocket: (token) =>
      new Promise((resolve, reject) => {
        const socket = ioClient(url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
        sockets.add(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      }),
    close: async () => {
      for (const client of clients) client.destroy();
      for (const socket of sockets) socket.disconnect();
      await server.close();
    },
  };
}
