import type { Logger } from 'pino';
import type { RealtimeServer } from './realtime-server.js';

/** How long closing the stores may take after the drain before the process exits anyway, ms. */
const CLOSE_GRACE_MS = 5000;

/**
 * Makes SIGTERM and SIGINT stop the process cleanly: the first one drains the server for at most
 * `drainTimeoutMs` (see `RealtimeServer.close`), closes its stores and exits with 0, or with 1 if
 * that fails or has not finished `drainTimeoutMs + 5 s` after the signal. Repeated signals while
 * it stops are logged and ignored: a terminal's Ctrl-C reaches both npm and the server, and npm
 * forwards it again.
 *
 * @example
 * shutdownOnSignals(server, { logger, drainTimeoutMs: config.shutdownTimeoutMs });
 */
export function shutdownOnSignals(server: RealtimeServer, options: { logger: Logger; drainTimeoutMs: number }): void {
  const { logger, drainTimeoutMs } = options;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    logger.info({ signal, drainTimeoutMs }, 'shutting down');
    const hardStop = setTimeout(() => {
      logger.error({ drainTimeoutMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, drainTimeoutMs + CLOSE_GRACE_MS);
    hardStop.unref();
    server.close({ drainTimeoutMs }).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
