import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop utilisation at or below which frames wait no longer than the turn. */
export const IDLE_UTILISATION = 0.7;
/** Event-loop utilisation at or above which frames wait the whole busy window. */
export const BUSY_UTILISATION = 0.95;
/** How often the utilisation is read again, ms (at most: it is read when a flush is scheduled). */
export const UTILISATION_SAMPLE_MS = 100;

/** Where a {@link LoadWindow} reads time and the event loop's utilisation: `performance` from `node:perf_hooks`. */
export interface LoadSource {
  now(): number;
  eventLoopUtilization(current?: EventLoopUtilization, previous?: EventLoopUtilization): EventLoopUtilization;
}

/**
 * How long batched frames wait for more while the server is busy: nothing (the end of the turn)
 * while its event loop is at most {@link IDLE_UTILISATION} busy, growing to `busyWindowMs` at
 * {@link BUSY_UTILISATION}, read over the last {@link UTILISATION_SAMPLE_MS} or more.
 *
 * Why: a frame's cost is mostly fixed (a websocket write and a system call per connection), so
 * the events that share a frame share that cost. At low rates an event is alone in its turn and
 * waiting would only add latency; once the loop is busy, events a few ms apart each pay a whole
 * frame and the server falls behind, which costs far more latency than a short wait. Waiting
 * longer as the loop fills lets more events share each frame, which frees the loop again: the
 * window settles where the server keeps up (BENCHMARKS.md case 3, the capacity search).
 *
 * @example
 * const window = new LoadWindow(20);
 * setTimeout(flush, window.current()); // 0 on an idle server
 */
export class LoadWindow {
  private sampledAt = Number.NEGATIVE_INFINITY;
  private last: EventLoopUtilization | undefined;
  private windowMs = 0;

  constructor(
    private readonly busyWindowMs: number,
    private readonly source: LoadSource = performance,
  ) {}

  /** The clock the window is read on, ms (`performance.now()` unless a source was given). */
  now(): number {
    return this.source.now();
  }

  /** The window now, ms (whole), from the utilisation since it was last read. */
  current(): number {
    if (this.busyWindowMs === 0) return 0;
    const now = this.source.now();
    if (now - this.sampledAt < UTILISATION_SAMPLE_MS) return this.windowMs;
    const reading = this.source.eventLoopUtilization();
    const utilisation = this.last === undefined ? 0 : this.source.eventLoopUtilization(reading, this.last).utilization;
    this.last = reading;
    this.sampledAt = now;
    const share = Math.min(1, Math.max(0, (utilisation - IDLE_UTILISATION) / (BUSY_UTILISATION - IDLE_UTILISATION)));
    this.windowMs = Math.round(this.busyWindowMs * share);
    return this.windowMs;
  }
}
