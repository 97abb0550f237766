/**
 * What every Vite page of this repository is served with, the examples (`serve.ts`) and the e2e
 * tests' apps (`test/e2e/support/vite-app.ts`): the SDK's package specifiers resolved to the
 * repository's sources, and a logger that leaves out the noise of closed tabs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Alias, type Logger } from 'vite';

/** The repository root (this file is in `examples/`). */
export const REPO_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The package specifiers pages import, resolved to this repository's sources (the longer one first). */
export const SDK_ALIASES: Alias[] = [
  { find: '@realtime-platform/client/react', replacement: path.join(REPO_ROOT, 'client/react/index.ts') },
  { find: '@realtime-platform/client', replacement: path.join(REPO_ROOT, 'client/index.ts') },
];

/**
 * Vite's logger without the "ws proxy error: ECONNRESET" a proxied WebSocket logs whenever a tab
 * closes (the browser resets the connection; nothing went wrong).
 */
export function quietProxyLogger(): Logger {
  const logger = createLogger('warn');
  const error = logger.error.bind(logger);
  logger.error = (message, options) => {
    if (message.includes('ws proxy') && (options?.error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET') return;
    error(message, options);
  };
  return logger;
}
