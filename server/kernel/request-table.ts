import type { RealtimeSocket } from '../socket-types.js';

/** A request listener shared by every connection: the connection is its `this`, as an emitter's listener. */
export type SharedListener = (this: RealtimeSocket, ...args: unknown[]) => unknown;

type Packet = [event: string, ...args: unknown[]];

/**
 * A check every request of every connection passes, in order, before its listener: `true` lets it
 * on; `false` means the check answered it itself (an error on its acknowledgement). A check may
 * replace the acknowledgement (`packet[packet.length - 1]`) with one of its own that calls it.
 *
 * @example
 * const counted: RequestCheck = (_socket, packet) => (requests.inc(), true);
 */
export type RequestCheck = (socket: RealtimeSocket, packet: Packet) => boolean;

/** What a {@link RequestTable} answers besides its own requests. */
export interface RequestTableOptions {
  /**
   * Answers an event that is not in `known` (the wire contract's events) when it reaches the end
   * of the middlewares, called with the event name first (as an `onAny` listener is); the event
   * is not emitted then.
   */
  unknownEvent?: { known: ReadonlySet<string>; answer: SharedListener };
  /** Run on every request before anything else of the table (see {@link RequestCheck}). */
  checks?: readonly RequestCheck[];
}

/**
 * The requests every logged-in connection of a server serves (each feature's operations,
 * `auth:refresh`, `sys:ping`, `batch`), one shared listener per event for all connections, and the
 * last Socket.IO middleware of each connection, which hands each such request to its listener.
 *
 * Why this exists: registered with `socket.on`, the sixty-odd events made every connection's
 * emitter carry its own sixty-entry listener table (about 2.7 KB of an idle connection's heap,
 * more than a bare Socket.IO connection spends on its transport). Dispatched from here, a
 * connection holds one middleware instead, and the checks every request passes first (the request
 * shape check, the drain's acknowledgement tracking) run inside it rather than as middlewares of
 * their own (each was a closure per connection). The listener runs exactly when Socket.IO would
 * have emitted the event: after every middleware before this one let it through (the login gate),
 * on the next tick, and only while the connection is still connected. An event outside the wire
 * contract is answered by the table's `unknownEvent` listener the same way (it was an `onAny`
 * listener per connection). A known event this table does not serve (`auth:login`) goes on to the
 * emitter as before, and so does one that the connection also has a listener of its own for
 * (after the shared one).
 *
 * @example
 * const table = new RequestTable({ checks: [requestShapeCheck(32)] });
 * table.add('sys:ping', function (this: RealtimeSocket, _request, ack) { ... });
 * table.serve(socket); // after every other socket.use of the connection
 */
export class RequestTable {
  private readonly listeners = new Map<string, SharedListener>();

  private readonly unknownEvent: RequestTableOptions['unknownEvent'];
  private readonly checks: readonly RequestCheck[];

  constructor(options: RequestTableOptions = {}) {
    this.unknownEvent = options.unknownEvent;
    this.checks = options.checks ?? [];
  }

  /** Serves `event` with `listener` on every connection; an event is served once. */
  add(event: string, listener: SharedListener): void {
    if (this.listeners.has(event)) throw new Error(`"${event}" is served twice`);
    this.listeners.set(event, listener);
  }

  /** The shared listener of `event`, if this table serves it. */
  get(event: string): SharedListener | undefined {
    return this.listeners.get(event);
  }

  /**
   * The listeners `event` reaches on `socket`: the shared one, then the connection's own (what a
   * batch entry is handed to, exactly as the same request sent alone).
   */
  listenersOf(socket: RealtimeSocket, event: string): SharedListener[] {
    const shared = this.listeners.get(event);
    const own = (socket as unknown as { listeners(event: string): SharedListener[] }).listeners(event);
    return shared === undefined ? own : [shared, ...own];
  }

  /** Dispatches this table's requests on `socket`: call it after the connection's other middlewares. */
  serve(socket: RealtimeSocket): void {
    socket.use((packet: Packet, next: (err?: Error) => void) => this.dispatch(socket, packet, next));
  }

  private dispatch(socket: RealtimeSocket, packet: Packet, next: (err?: Error) => void): void {
    for (const check of this.checks) if (!check(socket, packet)) return;
    const event = packet[0];
    const listener = this.listeners.get(event);
    if (listener === undefined) {
      const { unknownEvent } = this;
      if (unknownEvent === undefined || unknownEvent.known.has(event)) {
        next();
        return;
      }
      // Called as an `onAny` listener is: the event name first.
      process.nextTick(() => {
        if (socket.connected) unknownEvent.answer.apply(socket, packet);
      });
      return;
    }
    // Socket.IO emits a dispatched event on the next tick, and only to a connected socket.
    process.nextTick(() => {
      if (socket.connected) listener.apply(socket, packet.slice(1));
    });
    if (socket.listenerCount(event as never) > 0) next();
  }
}
