/**
 * Serves one browser example with Vite's dev server, proxying the realtime server's paths
 * (`/socket.io`, `/auth`, `/api`, `/sdk`) to it, so the page talks to it at its own origin.
 *
 *   npm start                      # the realtime server, http://localhost:3000 (development mode)
 *   npm run example:chat           # = tsx examples/serve.ts chat → http://127.0.0.1:5173/
 *
 * Environment: REALTIME_URL (default http://localhost:3000), PORT (default 5173; taken → the next
 * free one), HOST (default 127.0.0.1).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { createServer, type ViteDevServer } from 'vite';
import { quietProxyLogger, REPO_ROOT, SDK_ALIASES } from './vite-shared.js';

const EXAMPLES_DIR = path.dirname(fileURLToPath(import.meta.url));

/** The browser examples this script serves (each a folder with an `index.html`). */
export const BROWSER_EXAMPLES = ['chat', 'note', 'map', 'react-app'] as const;
export type BrowserExample = (typeof BROWSER_EXAMPLES)[number];

/** Where an example runs and what it talks to. */
export interface ExampleServerOptions {
  /** @default 'http://localhost:3000' */
  realtimeUrl?: string;
  /** @default 5173 (0: any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** A running example: its URL and how to stop it. */
export interface RunningExample {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the Vite dev server of one browser example.
 *
 * @example
 * const chat = await startExample('chat', { realtimeUrl: 'http://localhost:3000' });
 * console.log(chat.url);
 */
export async function startExample(name: BrowserExample, options: ExampleServerOptions = {}): Promise<RunningExample> {
  const target = options.realtimeUrl ?? 'http://localhost:3000';
  const proxy = Object.fromEntries(['/socket.io', '/auth', '/api', '/sdk'].map((prefix) => [prefix, { target, ws: prefix === '/socket.io' }]));
  const server: ViteDevServer = await createServer({
    root: path.join(EXAMPLES_DIR, name),
    configFile: false,
    logLevel: 'warn',
    customLogger: quietProxyLogger(),
    cacheDir: path.join(REPO_ROOT, '.cache/vite', `example-${name}`),
    plugins: [react()],
    resolve: {
      alias: SDK_ALIASES,
    },
    server: { host: options.host ?? '127.0.0.1', port: options.port ?? 5173, strictPort: false, proxy },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('the Vite dev server did not say where it listens');
  return { url, close: () => server.close() };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = process.argv[2];
  if (!(BROWSER_EXAMPLES as readonly string[]).includes(name ?? '')) {
    process.stderr.write(`usage: tsx examples/serve.ts <${BROWSER_EXAMPLES.join('|')}>\n`);
    process.exit(2);
  }
  const running = await startExample(name as BrowserExample, {
    realtimeUrl: process.env.REALTIME_URL ?? 'http://localhost:3000',
    port: Number(process.env.PORT ?? 5173),
    host: process.env.HOST ?? '127.0.0.1',
  });
  process.stdout.write(`${name} example: ${running.url} (talking to ${process.env.REALTIME_URL ?? 'http://localhost:3000'}; open it in two tabs)\n`);
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
