/** Most future times remembered at once; beyond it a later time is left to the poll. */
const MAX_PLANNED_TIMES = 10_000;

/**
 * The future times at which the dispatcher must look for due work (retries it scheduled), with one
 * timer armed for the earliest. When it fires, the times that have come are dropped, the timer is
 * re-armed for the next one, and `onDue` runs.
 *
 * Why a set of times and not one timer per retry or a single "next" slot: a single slot forgot
 * every retry but the earliest (and an immediate wake replaced it), so later retries waited for
 * the poll tick, a second instead of 50 ms; a timer per retry would grow without bound with the
 * queue. Times are deduplicated; past {@link MAX_PLANNED_TIMES} the poll still finds the rest.
 *
 * @example
 * const schedule = new WakeSchedule(() => Date.now(), () => void scan());
 * schedule.at(Date.now() + 50);
 * schedule.clear();
 */
export class WakeSchedule {
  private readonly times = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly onDue: () => void,
  ) {}

  /** Plans a wake-up at `time` (Unix ms, by `now`). */
  at(time: number): void {
    if (this.times.size < MAX_PLANNED_TIMES) this.times.add(time);
    if (time < this.armedAt) this.arm(time);
  }

  /** Forgets every planned time and stops the timer. */
  clear(): void {
    this.times.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private arm(time: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedAt = time;
    this.timer = setTimeout(() => this.fire(), Math.max(0, time - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    for (const time of this.times) {
      if (time <= now) this.times.delete(time);
      else if (time < next) next = time;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    this.onDue();
  }
}
