import type { LoadWindow } from './load-window.js';

/** What a {@link FrameFlusher} flushes: a transport with packets waiting for the window to end. */
export interface Flushable {
  flushQueued(): void;
}

/**
 * Decides, for every connection of one server at once, whether what is sent now is written at once
 * or waits for more, and ends the wait: the connections that queued packets since the last flush
 * are flushed together, at the end of the current turn of the event loop (`setImmediate`), or
 * after the {@link LoadWindow}'s wait while the server is busy.
 *
 * Why one for all: a broadcast to a room queues on every member at once; one decision and one
 * `setImmediate` (or one timer) for all of them costs what one per connection would cost for one,
 * and keeps a broadcast together (all its members write at once, or all wait).
 *
 * @example
 * const flusher = new FrameFlusher(new LoadWindow(20));
 * if (!flusher.writesAtOnce()) flusher.add(transport); // transport.flushQueued() runs at the end of the window
 */
export class FrameFlusher {
  private due: Flushable[] = [];
  private scheduled = false;
  /** This run of JavaScript's decision (see {@link writesAtOnce}), forgotten when the run ends. */
  private decision: boolean | undefined;
  /** When something was last sent: written at once, or flushed. */
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly loadWindow: LoadWindow) {}

  /**
   * Whether a connection with nothing queued writes at once instead of joining the next flush:
   * when no flush is pending and either the server has time to spare (its {@link LoadWindow} is
   * the turn) or nothing was sent within the window (a lone event: waiting would gather nothing).
   * Decided once per run of JavaScript, so a broadcast's members all do the same.
   *
   * Why: a frame that would carry one event anyway gains nothing from waiting, and queueing a
   * broadcast on every member before the first write makes its last receivers wait for the whole
   * loop. Written at once, what comes for a connection while its frame is being written (the rest
   * of the run, at least) waits in engine.io's buffer and goes in one frame after it. Only events
   * closer together than the window wait for each other.
   */
  writesAtOnce(): boolean {
    if (this.scheduled) return false;
    if (this.decision === undefined) {
      const now = this.loadWindow.now();
      const waitMs = this.loadWindow.current();
      this.decision = waitMs === 0 || now - this.lastSentAt >= waitMs;
      if (this.decision) this.lastSentAt = now;
      process.nextTick(this.endRun);
    }
    return this.decision;
  }

  /**
   * Puts `transport` in the next flush, scheduling one if none is: at the end of the turn, or,
   * while the server is busy, once the {@link LoadWindow}'s wait has passed since something was
   * last sent (a connection's frames are then at most one per window, and an event waits at most
   * that long).
   */
  add(transport: Flushable): void {
    this.due.push(transport);
    if (this.scheduled) return;
    this.scheduled = true;
    const waitMs = Math.ceil(this.lastSentAt + this.loadWindow.current() - this.loadWindow.now());
    if (waitMs > 0) setTimeout(this.flush, waitMs);
    else setImmediate(this.flush);
  }

  private readonly endRun = (): void => {
    this.decision = undefined;
  };

  private readonly flush = (): void => {
    const due = this.due;
    this.due = [];
    this.scheduled = false;
    this.lastSentAt = this.loadWindow.now();
    for (let i = 0; i < due.length; i += 1) (due[i] as Flushable).flushQueued();
  };
}
