/**
 * Counts what fuzzed requests got back, per request kind: how many succeeded and which error codes
 * answered the rest. With `FUZZ_STATS=1` the table is printed after each property, to check that
 * the arbitraries reach past validation (a fuzzer whose every request is INVALID_ARGUMENT tests
 * only the validator).
 *
 * @example
 * stats.record('subscribe', 'ok');
 * stats.print('socket events');
 */
export class FuzzStats {
  private readonly counts = new Map<string, Map<string, number>>();

  record(kind: string, outcome: string): void {
    const outcomes = this.counts.get(kind) ?? new Map<string, number>();
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    this.counts.set(kind, outcomes);
  }

  /** One line per kind: `kind  total  ok=.. CODE=..`, most frequent outcome first. */
  table(): string {
    const lines: string[] = [];
    for (const [kind, outcomes] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      const total = [...outcomes.values()].reduce((sum, count) => sum + count, 0);
      const parts = [...outcomes].sort(([, a], [, b]) => b - a).map(([outcome, count]) => `${outcome}=${count}`);
      lines.push(`${kind.padEnd(44)} ${String(total).padStart(6)}  ${parts.join(' ')}`);
    }
    return lines.join('\n');
  }

  print(title: string): void {
    if (process.env.FUZZ_STATS === undefined || process.env.FUZZ_STATS === '' || process.env.FUZZ_STATS === '0') return;
    process.stdout.write(`\n${title}\n${this.table()}\n`);
  }
}
