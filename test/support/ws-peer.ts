import { WebSocket } from 'ws';

/** A `/ws` message as the server sent it. */
export type WsMessage = Record<string, unknown> & { type: string };

/**
 * A raw `ws` client of the plain WebSocket protocol, for tests: records every frame as it came
 * (an object or an array of them) and every message in order, and waits for messages.
 */
export class WsPeer {
  /** Every frame, parsed, as it arrived. */
  readonly frames: unknown[] = [];
  /** Every message, in order (array frames flattened). */
  readonly messages: WsMessage[] = [];
  /** The close code and reason, once closed. */
  closed?: { code: number; reason: string };
  private readonly waiters: { predicate: (message: WsMessage) => boolean; resolve: (message: WsMessage) => void; from: number }[] = [];
  private readonly closeWaiters: ((closed: { code: number; reason: string }) => void)[] = [];
  private readonly pingWaiters: { count: number; resolve: () => void }[] = [];
  private nextRef = 0;

  /** WebSocket pings received from the server (engine.io's heartbeat). */
  pings = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('ping', () => {
      this.pings += 1;
      for (const waiter of [...this.pingWaiters]) {
        if (this.pings < waiter.count) continue;
        this.pingWaiters.splice(this.pingWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown;
      this.frames.push(frame);
      for (const message of Array.isArray(frame) ? frame : [frame]) this.messages.push(message as WsMessage);
      this.settle();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const resolve of this.closeWaiters.splice(0)) resolve(this.closed);
      // No more pings will come: let a test waiting for them see the close instead of timing out.
      for (const waiter of this.pingWaiters.splice(0)) waiter.resolve();
    });
  }

  /**
   * Opens `/ws` (or `options.path`) on the server at `url` (`http://...`) with `query`; resolves
   * once open. `autoPong: false` makes a peer that never answers WebSocket pings.
   */
  static open(
    url: string,
    query: Record<string, string> = {},
    options: { headers?: Record<string, string>; path?: string; autoPong?: boolean } = {},
  ): Promise<WsPeer> {
    const address = new URL(options.path ?? '/ws', url.replace(/^http/, 'ws'));
    for (const [key, value] of Object.entries(query)) address.searchParams.set(key, value);
    const socket = new WebSocket(address, { headers: options.headers ?? {}, autoPong: options.autoPong ?? true });
    const peer = new WsPeer(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(peer));
      socket.once('error', reject);
    });
  }

  /** Opens `/ws` and waits for `session:opened`. */
  static async connected(url: string, query: Record<string, string> = {}, options: Parameters<typeof WsPeer.open>[2] = {}): Promise<WsPeer> {
    const peer = await WsPeer.open(url, query, options);
    await peer.next((message) => message.type === 'session:opened', { seen: true });
    return peer;
  }

  /** Sends a message (or an array, or raw text) as one frame. */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a request with a fresh `ref` and resolves with its answer (`result`, `subscribed` or `error`). */
  async request(message: Record<string, unknown>): Promise<WsMessage> {
    const ref = `r${(this.nextRef += 1)}`;
    const answer = this.next((received) => received.ref === ref);
    this.send({ ...message, ref });
    return answer;
  }

  /** Resolves with the first message from now on (or already received, with `{ seen: true }`) that matches. */
  next(predicate: (message: WsMessage) => boolean, options: { seen?: boolean } = {}): Promise<WsMessage> {
    const from = options.seen === true ? 0 : this.messages.length;
    return new Promise((resolve) => {
      this.waiters.push({ predicate, resolve, from });
      this.settle();
    });
  }

  /** Resolves once `count` messages match `predicate` (counting those already received). */
  async until(predicate: (message: WsMessage) => boolean, count: number): Promise<WsMessage[]> {
    for (;;) {
      const matching = this.messages.filter(predicate);
      if (matching.length >= count) return matching;
      await this.next(predicate);
    }
  }

  /** Resolves once `count` WebSocket pings have arrived in all, or the connection closed. */
  pinged(count: number): Promise<void> {
    if (this.pings >= count || this.closed !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.pingWaiters.push({ count, resolve }));
  }

  /** Resolves with the close code and reason. */
  whenClosed(): Promise<{ code: number; reason: string }> {
    if (this.closed !== undefined) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  close(): void {
    this.socket.close();
  }

  private settle(): void {
    for (const waiter of [...this.waiters]) {
      const found = this.messages.slice(waiter.from).find(waiter.predicate);
      if (found === undefined) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(found);
    }
  }
}
