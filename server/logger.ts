import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Paths pino blanks out wherever they appear, so tokens and secrets never reach the logs.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/**
 * The server's structured logger.
 *
 * @example
 * const logger = createLogger('info');
 * logger.info({ port: 3000 }, 'listening');
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'realtime' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

export type { Logger };
