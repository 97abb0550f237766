import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildBrowserBundles, type BrowserBuildReport } from '../../../client/browser/build.js';
import { createRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from '../../../server/index.js';

/** A development-mode server (demo at `/`, dev tokens) serving freshly built browser bundles. */
export interface DemoServer {
  server: RealtimeServer;
  url: string;
  bundles: BrowserBuildReport;
  /** Disconnects every server-side socket of a user, as a dropped network would; answers how many. */
  dropConnections(userId: string): number;
  /** The user id of every connected socket. */
  connectedUsers(): string[];
  close(): Promise<void>;
}

/**
 * Builds the browser bundles into a temporary directory (so test files never race on
 * `dist/browser`) and starts a real server on port 0 that serves them and the demo.
 *
 * @example
 * const demo = await startDemoServer();
 * await page.goto(demo.url);
 */
export async function startDemoServer(options: Partial<RealtimeServerOptions> = {}): Promise<DemoServer> {
  const sdkDirectory = await mkdtemp(path.join(tmpdir(), 'realtime-sdk-'));
  const bundles = await buildBrowserBundles({ outDir: sdkDirectory });
  const server = createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    auth: { secret: randomBytes(32).toString('base64url') },
    developmentMode: true,
    sdkDirectory,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...options,
  });
  const { url } = await server.listen();
  return {
    server,
    url,
    bundles,
    dropConnections: (userId) => {
      let dropped = 0;
      for (const socket of server.io.of('/').sockets.values()) {
        if (socket.data.principal.userId !== userId) continue;
        socket.disconnect(true);
        dropped += 1;
      }
      return dropped;
    },
    connectedUsers: () => [...server.io.of('/').sockets.values()].map((socket) => socket.data.principal.userId),
    close: async () => {
      await server.close();
      await rm(sdkDirectory, { recursive: true, force: true });
    },
  };
}
