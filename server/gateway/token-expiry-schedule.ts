import type { RealtimeSocket } from '../socket-types.js';

/** setTimeout cannot wait longer than this (about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * When each connection's token expires, for every connection of a server: one timer for the
 * soonest expiry instead of one per connection. `onExpired` runs for a connection when its time
 * comes (at the same moment its own `setTimeout` would have fired), unless `set` moved it
 * (`auth:refresh`) or `delete` dropped it (the connection closed) first.
 *
 * Why this exists: a `setTimeout` per connection, with its closure and context, was ~400 bytes of
 * every idle connection's heap; here a connection costs a map entry and a slot in a binary heap.
 * Superseded slots stay in the heap until they come up (or the heap is rebuilt once more than
 * half of it is stale), so moving an expiry is O(log n).
 *
 * @example
 * const expiries = new TokenExpirySchedule((socket) => socket.disconnect(true));
 * expiries.set(socket, socket.data.principal.expiresAt);
 * socket.on('disconnect', () => expiries.delete(socket));
 */
export class TokenExpirySchedule {
  /** The expiry in force for each connection, Unix ms. */
  private readonly due = new Map<RealtimeSocket, number>();
  /** A binary min-heap over `times`, with `sockets` in the same slots; may hold superseded slots. */
  private times: number[] = [];
  private sockets: RealtimeSocket[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The time the timer is armed for. */
  private armedFor = Number.NaN;

  constructor(private readonly onExpired: (socket: RealtimeSocket) => void) {}

  /** Connections with an expiry scheduled. */
  get size(): number {
    return this.due.size;
  }

  /** Schedules (or moves) `socket`'s expiry to `expiresAt` (Unix ms). */
  set(socket: RealtimeSocket, expiresAt: number): void {
    this.due.set(socket, expiresAt);
    this.push(expiresAt, socket);
    this.arm();
  }

  /** Forgets `socket` (it closed): its expiry will not fire. */
  delete(socket: RealtimeSocket): void {
    if (!this.due.delete(socket)) return;
    if (this.due.size === 0) {
      this.times = [];
      this.sockets = [];
      this.arm();
    } else if (this.times.length > 64 && this.times.length > 2 * this.due.size) {
      this.rebuild();
    }
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.NaN;
    const now = Date.now();
    while (this.times.length > 0 && (this.times[0] as number) <= now) {
      const at = this.times[0] as number;
      const socket = this.sockets[0] as RealtimeSocket;
      this.pop();
      if (this.due.get(socket) !== at) continue;
      this.due.delete(socket);
      this.onExpired(socket);
    }
    this.arm();
  }

  private arm(): void {
    const next = this.times[0];
    if (next === this.armedFor) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.NaN;
    if (next === undefined) return;
    this.armedFor = next;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
  }

  private rebuild(): void {
    this.times = [];
    this.sockets = [];
    for (const [socket, at] of this.due) this.push(at, socket);
    this.arm();
  }

  private push(at: number, socket: RealtimeSocket): void {
    const { times, sockets } = this;
    let index = times.length;
    times.push(at);
    sockets.push(socket);
    while (index > 0) {
      const up = (index - 1) >> 1;
      if ((times[up] as number) <= at) break;
      this.swap(index, up);
      index = up;
    }
  }

  private pop(): void {
    const { times, sockets } = this;
    const lastTime = times.pop() as number;
    const lastSocket = sockets.pop() as RealtimeSocket;
    if (times.length === 0) return;
    times[0] = lastTime;
    sockets[0] = lastSocket;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < times.length && (times[left] as number) < (times[smallest] as number)) smallest = left;
      if (right < times.length && (times[right] as number) < (times[smallest] as number)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const { times, sockets } = this;
    [times[a], times[b]] = [times[b] as number, times[a] as number];
    [sockets[a], sockets[b]] = [sockets[b] as RealtimeSocket, sockets[a] as RealtimeSocket];
  }
}
