import { WebSocket } from 'ws';

/** One decoded Socket.IO packet from the wire, e.g. `{ type: '2', text: '2["event",{...}]' }`. */
export interface WirePacket {
  /** The Socket.IO packet type digit (`'2'` EVENT, `'3'` ACK, `'1'` DISCONNECT, ...). */
  type: string;
  /** The Socket.IO packet as sent (the engine.io `4` message prefix removed). */
  text: string;
}

/**
 * A Socket.IO client written by hand over a raw `ws` websocket (engine.io protocol v4, Socket.IO
 * protocol v5), keeping every websocket frame as it arrived: what the batching tests count.
 *
 * @example
 * const socket = await RawEngineSocket.connect(t.url, token, { batch: true });
 * await socket.request('subscribe', { subscriptionId: 'sub_1', topic: 'a.b' });
 * socket.frames.length;
 */
export class RawEngineSocket {
  /** Every text frame received, as it came (the engine.io open packet first). */
  readonly frames: string[] = [];
  /** The Socket.IO packets of those frames, in order (engine.io pings left out). */
  readonly packets: WirePacket[] = [];
  private nextAckId = 0;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private constructor(
    private readonly ws: WebSocket,
    token: string,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const frame = data.toString();
      this.frames.push(frame);
      for (const part of frame.split('\x1e')) {
        if (part.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
        else if (part === '2') ws.send('3');
        else if (part.startsWith('4')) this.packets.push({ type: part.charAt(1), text: part.slice(1) });
      }
      this.wake();
    });
    ws.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Opens `/socket.io/` over websocket (with `batch=1` when `batch`) and completes the Socket.IO connect. */
  static connect(url: string, token: string, options: { batch: boolean }): Promise<RawEngineSocket> {
    const query = `EIO=4&transport=websocket${options.batch ? '&batch=1' : ''}`;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?${query}`);
    const socket = new RawEngineSocket(ws, token);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      socket
        .until(() => socket.packets.find((packet) => packet.type === '0' || packet.type === '4'))
        .then((packet) => (packet.type === '0' ? resolve(socket) : reject(new Error(`connect refused: ${packet.text}`))), reject);
    });
  }

  /** Whether the websocket has closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `event` with an ack id; resolves with the ack's first argument. */
  async request(event: string, data: unknown): Promise<unknown> {
    const id = this.nextAckId++;
    this.ws.send(`42${id}${JSON.stringify([event, data])}`);
    const ack = await this.until(() => this.packets.find((packet) => packet.type === '3' && packet.text.startsWith(`3${id}[`)));
    return (JSON.parse(ack.text.slice(`3${id}`.length)) as unknown[])[0];
  }

  /** The EVENT packets named `name`, their first argument parsed. */
  events(name: string): unknown[] {
    const prefix = `2${JSON.stringify([name]).slice(0, -1)},`;
    return this.packets.filter((packet) => packet.text.startsWith(prefix)).map((packet) => (JSON.parse(packet.text.slice(1)) as unknown[])[1]);
  }

  /** Resolves with `check()`'s first defined value, checked after every frame; rejects after `timeoutMs` or on close. */
  until<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(test);
        reject(new Error('timed out waiting on the raw socket'));
      }, timeoutMs);
      const test = (): void => {
        const value = check();
        if (value !== undefined && value !== false) {
          clearTimeout(timer);
          this.waiters.delete(test);
          resolve(value);
        } else if (this.closed) {
          clearTimeout(timer);
          this.waiters.delete(test);
          reject(new Error('the raw socket closed'));
        }
      };
      this.waiters.add(test);
      test();
    });
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
