/**
 * Where `logMessages` and `logErrors` write: the console by default (what Hivekit users expect
 * with `logErrors: true`), or a logger given to the client. The one place of the dialect that
 * touches `console`.
 *
 * @example
 * const client = new HivekitClient({ logErrors: true }, { logger: { log: () => {}, error: (...a) => myLog(a) } });
 */
export interface HivekitLogger {
  log(...values: unknown[]): void;
  error(...values: unknown[]): void;
}

/**
 * The console, as a {@link HivekitLogger}.
 *
 * @example
 * CONSOLE_LOGGER.error('[hivekit]', 'connection_error', 'refused');
 */
export const CONSOLE_LOGGER: HivekitLogger = {
  log: (...values) => globalThis.console.log(...values),
  error: (...values) => globalThis.console.error(...values),
};
