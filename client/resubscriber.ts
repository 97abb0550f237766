import type { Disposer } from './emitter.js';

/**
 * One kind of stream the client re-establishes on every (re)connection: topic subscriptions,
 * joined channels and open documents, and whatever kind comes next (geo objects, records).
 *
 * The model every kind follows: each stream has a position; `resubscribe()` re-sends the stream
 * with the last position this client saw; the server sends what was missed as ordinary live
 * frames, in order and once, before any live frame of that stream, and answers `recovered` and
 * `position`.
 *
 * @example
 * const records: ResubscribableStream = { resubscribe: () => records.resendAll() };
 * resubscriber.add(records);
 */
export interface ResubscribableStream {
  /** Re-sends every subscription of this kind, each from its last known position. */
  resubscribe(): void;
}

/** What a {@link Resubscriber} is driven by. */
export interface ResubscriberOptions {
  /** Calls `listener` on every opened connection, the first and each reconnect; returns its disposer. */
  onOpen(listener: () => void): Disposer;
  /** Sends the requests queued while there was no connection. */
  flushQueued(): void;
  /**
   * Hears a stream's `resubscribe()` throwing (the others still run).
   * @default rethrown in a microtask
   */
  onError?: (err: unknown) => void;
}

/**
 * Owns the order of everything the client does on each (re)connection: every registered stream
 * kind re-sends its subscriptions, in the order they were added (topics, then channels and open
 * documents, ...), then the requests queued while offline go out.
 *
 * Why the order: queued requests go out after every stream has re-sent, so that an event a
 * queued request causes (a publish, a write) reaches this client's own subscriptions and channels.
 * Adding a stream kind is one `add()`; nothing else needs to know about it.
 *
 * @example
 * const resubscriber = new Resubscriber({ onOpen: (fn) => connection.events.on('open', fn), flushQueued: () => requests.flush() });
 * resubscriber.add(subscriptions); // topics first
 * resubscriber.add(socketClients); // then channels and open documents
 */
export class Resubscriber {
  private readonly streams: ResubscribableStream[] = [];
  private readonly offOpen: Disposer;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly options: ResubscriberOptions) {
    this.onError = options.onError ?? rethrowLater;
    this.offOpen = options.onOpen(() => this.resubscribe());
  }

  /** Registers a stream kind, re-sent after those added before it; returns its disposer. */
  add(stream: ResubscribableStream): Disposer {
    this.streams.push(stream);
    return () => {
      const index = this.streams.indexOf(stream);
      if (index >= 0) this.streams.splice(index, 1);
    };
  }

  /** Stops following the connection and forgets every stream. */
  destroy(): void {
    this.offOpen();
    this.streams.length = 0;
  }

  private resubscribe(): void {
    for (const stream of [...this.streams]) this.guard(() => stream.resubscribe());
    this.guard(() => this.options.flushQueued());
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.onError(err);
    }
  }
}

function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
