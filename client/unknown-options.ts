/**
 * A problem with how the client is used that does not stop it from working, e.g. an option name
 * it does not know (a typo such as `reconectionDelay` would otherwise be ignored silently).
 *
 * @example
 * new RealtimeClient({ url, token, onWarning: ({ code, message }) => logger.warn({ code }, message) });
 */
export interface ClientWarning {
  code: 'UNKNOWN_OPTION';
  message: string;
  /** The option name that is not known. */
  option: string;
  /** The known option it is closest to, when one is close (a likely typo). */
  suggestion?: string;
}

/**
 * Where warnings go unless `onWarning` is given: the runtime's console (`console.warn`), so that a
 * developer sees a mistyped option without opting in to anything.
 *
 * Why the console here, when library code otherwise logs through `debug`: `debug` output is off
 * unless enabled, and a warning nobody sees is the silent acceptance it replaces. Everything else
 * the client reports goes through its `'error'` event and `debug`; pass `onWarning` to route
 * warnings elsewhere (or `() => {}` to drop them).
 *
 * @example
 * consoleWarning({ code: 'UNKNOWN_OPTION', option: 'x', message: 'Unknown RealtimeClient option "x"' });
 */
export function consoleWarning(warning: ClientWarning): void {
  const sink = (globalThis as { console?: { warn?: (...args: unknown[]) => void } }).console;
  sink?.warn?.(`[realtime] ${warning.message}`);
}

/**
 * Reports every own key of `options` that is not in `known` as an `UNKNOWN_OPTION` warning, naming
 * it (and the `component` it is an option of) and, when a known name is within two edits,
 * suggesting it.
 *
 * @example
 * warnUnknownOptions({ url, token, reconectionDelay: 5 }, ['url', 'token', 'reconnectionDelay'], consoleWarning);
 * // [realtime] Unknown RealtimeClient option "reconectionDelay" (ignored); did you mean "reconnectionDelay"?
 */
export function warnUnknownOptions(options: object, known: readonly string[], warn: (warning: ClientWarning) => void, component = 'RealtimeClient'): void {
  const names = new Set(known);
  for (const option of Object.keys(options)) {
    if (names.has(option)) continue;
    const suggestion = closestName(option, known);
    const message =
      `Unknown ${component} option ${JSON.stringify(option)} (ignored)` +
      (suggestion === undefined ? `; the options are ${known.join(', ')}` : `; did you mean ${JSON.stringify(suggestion)}?`);
    warn({ code: 'UNKNOWN_OPTION', message, option, ...(suggestion === undefined ? {} : { suggestion }) });
  }
}

/**
 * The known name closest to `name` (case-insensitive edit distance at most 2), if any.
 *
 * @example
 * closestName('fliter', ['topic', 'filter', 'returnMode']); // 'filter'
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `cap`) once it reaches `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= cap) return cap;
    previous = current;
  }
  return Math.min(previous[b.length]!, cap);
}
