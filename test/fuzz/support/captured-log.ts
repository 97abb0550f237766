import { pino, type Logger } from 'pino';

/** pino's number for `error`; `fatal` is 60. */
const ERROR_LEVEL = 50;

/**
 * A real pino logger for the server under fuzz that keeps every `error` and `fatal` line, so a
 * property can say "the server logged no error" (a stack trace at error level is how an
 * unexpected exception shows, even when the client got a tidy answer).
 */
export interface CapturedLog {
  logger: Logger;
  /** The error-level lines since the last call, parsed; emptied by the call. */
  takeErrors(): Record<string, unknown>[];
  /**
   * Runs one fuzz run. After a failed run, what it left in the log is dropped first: shrinking
   * replays smaller inputs next, and a failed run's late lines must not be blamed on them.
   */
  isolate<T>(run: () => Promise<T>): Promise<T>;
}

/**
 * @example
 * const log = capturedLog();
 * createRealtimeServer({ auth, logger: log.logger });
 * expect(log.takeErrors()).toEqual([]);
 */
export function capturedLog(): CapturedLog {
  let errors: Record<string, unknown>[] = [];
  let previousFailed = false;
  const keep = (text: string): void => {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (typeof entry.level === 'number' && entry.level >= ERROR_LEVEL) errors.push(entry);
      } catch {
        errors.push({ unparsed: line });
      }
    }
  };
  return {
    // Synchronous writes: a line is captured before the request that caused it is answered.
    logger: pino({ level: 'warn' }, { write: keep }),
    takeErrors() {
      const taken = errors;
      errors = [];
      return taken;
    },
    async isolate(run) {
      if (previousFailed) errors = [];
      previousFailed = true;
      const result = await run();
      previousFailed = false;
      return result;
    },
  };
}
