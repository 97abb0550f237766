/**
 * Progress lines on stderr, each stamped with the time since the run started, so a person watching
 * `npm run bench` sees what is happening and how long it has taken.
 */

const started = performance.now();

function stamp(): string {
  const seconds = Math.floor((performance.now() - started) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Prints one progress line.
 *
 * @example
 * progress('fanout', 'platform: 1,000 connections in 1.2 s');
 */
export function progress(scope: string, message: string): void {
  process.stderr.write(`[${stamp()}] ${scope.padEnd(11)} ${message}\n`);
}

/** Milliseconds since the run started. */
export function elapsedMs(): number {
  return performance.now() - started;
}

/** `12345.6` → `12,346`. */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
