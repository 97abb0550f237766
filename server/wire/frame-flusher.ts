import type { LoadWindow } from './load-window.js';

/** What a {@link FrameFlusher} flushes: a transport with packets waiting for the window to end. */
export interface Flushable {
  flushQueued(): void;
}

/**
 * Ends the batching window of every connection of one server at once: the connections that
 * queued packets since the last flush are flushed together, at the end of the current turn of the
 * event loop (`setImmediate`), or after the {@link LoadWindow}'s wait while the server is busy.
 *
 * Why one for all: a broadcast to a room queues on every member at once; one `setImmediate` (or
 * one timer) for all of them costs what one per connection would cost for one.
 *
 * @example
 * const flusher = new FrameFlusher(new LoadWindow(20));
 * flusher.add(transport); // transport.flushQueued() runs at the end of the window
 */
export class FrameFlusher {
  private due: Flushable[] = [];
  private scheduled = false;

  constructor(private readonly loadWindow: LoadWindow) {}

  /** Puts `transport` in the next flush, scheduling one if none is. */
  add(transport: Flushable): void {
    this.due.push(transport);
    if (this.scheduled) return;
    this.scheduled = true;
    const waitMs = this.loadWindow.current();
    if (waitMs === 0) setImmediate(this.flush);
    else setTimeout(this.flush, waitMs);
  }

  private readonly flush = (): void => {
    const due = this.due;
    this.due = [];
    this.scheduled = false;
    for (let i = 0; i < due.length; i += 1) (due[i] as Flushable).flushQueued();
  };
}
