import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { build, preview } from 'vite';
import { quietProxyLogger, SDK_ALIASES } from '../../../examples/vite-shared.js';

/** What a Vite app built and served for a test gives back. */
export interface ServedViteApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the Vite app in `root` (React plugin) into a temporary directory and
 * serves it with Vite's preview server, which proxies the realtime paths (`/socket.io`, `/auth`,
 * `/api`) to `realtimeUrl`, so the page talks to the server at its own origin.
 *
 * @example
 * const app = await buildAndServeViteApp('test/e2e/react-app', demo.url);
 * await page.goto(app.url);
 */
export async function buildAndServeViteApp(root: string, realtimeUrl: string): Promise<ServedViteApp> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'realtime-vite-'));
  const common = {
    root: path.resolve(root),
    configFile: false as const,
    logLevel: 'warn' as const,
    customLogger: quietProxyLogger(),
    cacheDir: path.resolve('.cache/vite', path.basename(root)),
  };
  await build({
    ...common,
    mode: 'development',
    define: { 'process.env.NODE_ENV': JSON.stringify('development') },
    plugins: [react()],
    resolve: { alias: SDK_ALIASES },
    build: { outDir, emptyOutDir: true, minify: false, chunkSizeWarningLimit: 4096 },
  });
  const proxy = Object.fromEntries(['/socket.io', '/auth', '/api'].map((prefix) => [prefix, { target: realtimeUrl, ws: prefix === '/socket.io' }]));
  const server = await preview({ ...common, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, proxy } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('the Vite preview server did not say where it listens');
  return {
    url: url.replace(/\/$/, ''),
    close: async () => {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
