import { WebSocket } from 'ws';
import type { AckResult } from '../../shared/index.js';
import { REQUEST_TIMEOUT_MS } from './bench-socket.js';

/** Separates the packets of a batched frame (engine.io protocol v4's payload separator, as the server joins them). */
const BATCH_SEPARATOR = '\x1e';

/**
 * A minimal Socket.IO client for the load clients, written by hand over a raw `ws` websocket
 * (engine.io protocol v4: https://github.com/socketio/engine.io-protocol, Socket.IO protocol v5:
 * https://github.com/socketio/socket.io-protocol): the engine.io open and ping/pong, CONNECT with
 * the auth token, EVENT with an ack id for requests, ACK back, and incoming EVENT packets handed
 * over undecoded. With `batchedFrames` it asks for batched frames (`batch=1`, as `RealtimeClient`
 * does by default) and splits each frame into its packets.
 *
 * Why not socket.io-client, nor engine.io-client under it: on a 2-core machine the load clients
 * share the cores with the server, so every microsecond a receiver spends per delivery is one the
 * server under test does not get. socket.io-client's decoding (a JSON.parse of every delivery) and
 * engine.io-client's emitter chain (four events per packet) made the receivers, not the server,
 * set the pace, for every server measured. Receivers here only read `seq` and `t` out of the raw
 * text, as Centrifugo's and deepstream's load tools read theirs.
 *
 * @example
 * const socket = await LightSocket.connect(url, token);
 * socket.onEvent = (packet) => count(packet);
 * await socket.request('subscribe', { topic: 'bench.fanout' });
 */
export class LightSocket {
  /** Receives every server EVENT packet as its raw text, e.g. `2["event",{...}]`. */
  onEvent: ((packet: string) => void) | undefined;
  private nextAckId = 0;
  private readonly acks = new Map<number, (result: AckResult<unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const frame = data.toString();
      let start = 0;
      for (let end = frame.indexOf(BATCH_SEPARATOR); end !== -1; end = frame.indexOf(BATCH_SEPARATOR, start)) {
        this.onEnginePacket(frame, start, end);
        start = end + 1;
      }
      this.onEnginePacket(frame, start, frame.length);
    });
    ws.on('close', () => {
      for (const settle of this.acks.values()) settle({ ok: false, error: { code: 'UNAVAILABLE', message: 'connection closed' } });
      this.acks.clear();
    });
  }

  /** Opens a websocket connection and completes the Socket.IO CONNECT with `{ token }`. */
  static connect(url: string, token: string, options: { batchedFrames: boolean } = { batchedFrames: false }): Promise<LightSocket> {
    return new Promise((resolve, reject) => {
      const query = `EIO=4&transport=websocket${options.batchedFrames ? '&batch=1' : ''}`;
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?${query}`, { perMessageDeflate: false, skipUTF8Validation: true });
      const timer = setTimeout(() => fail(new Error('connect timed out')), REQUEST_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        ws.off('message', onHandshake);
        ws.terminate();
        reject(err);
      };
      ws.once('error', (err) => fail(err));
      ws.once('close', () => fail(new Error('closed during the handshake')));
      // The engine.io open packet (`0{...}`), then the Socket.IO CONNECT answer (`40{...}` or `44{...}`).
      const onHandshake = (data: Buffer): void => {
        const packet = data.toString();
        if (packet.startsWith('0')) {
          ws.send(`40${JSON.stringify({ token })}`);
        } else if (packet.startsWith('40')) {
          clearTimeout(timer);
          ws.off('message', onHandshake);
          ws.removeAllListeners('close');
          ws.removeAllListeners('error');
          ws.on('error', () => {});
          resolve(new LightSocket(ws));
        } else if (packet.startsWith('44')) {
          fail(new Error(`connection refused: ${packet.slice(2)}`));
        }
      };
      ws.on('message', onHandshake);
    });
  }

  /** Sends `event` with `data` and an ack id; resolves with the server's acknowledgement. */
  request<T>(event: string, data: unknown): Promise<AckResult<T>> {
    const id = this.nextAckId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        resolve({ ok: false, error: { code: 'TIMEOUT', message: `${event} timed out` } });
      }, REQUEST_TIMEOUT_MS);
      this.acks.set(id, (result) => {
        clearTimeout(timer);
        resolve(result as AckResult<T>);
      });
      this.ws.send(`42${id}${JSON.stringify([event, data])}`);
    });
  }

  /** Sends `event` with `data` and no ack id (fire-and-forget, as `object:set` location streams do). */
  emit(event: string, data: unknown): void {
    this.ws.send(`42${JSON.stringify([event, data])}`);
  }

  close(): void {
    this.ws.close();
  }

  /** One engine.io packet, `frame.slice(start, end)`: a ping is answered, a message (`4…`) holds a Socket.IO packet. */
  private onEnginePacket(frame: string, start: number, end: number): void {
    const type = frame.charCodeAt(start);
    if (type === 0x34 /* '4' message */) {
      this.onPacket(frame.slice(start + 1, end));
    } else if (type === 0x32 /* '2' ping */) {
      this.ws.send('3');
    }
  }

  private onPacket(packet: string): void {
    const type = packet.charCodeAt(0);
    if (type === 0x32 /* '2' EVENT */) {
      this.onEvent?.(packet);
    } else if (type === 0x33 /* '3' ACK */) {
      let end = 1;
      while (end < packet.length && packet.charCodeAt(end) >= 0x30 && packet.charCodeAt(end) <= 0x39) end += 1;
      const id = Number(packet.slice(1, end));
      const settle = this.acks.get(id);
      if (settle === undefined) return;
      this.acks.delete(id);
      const [result] = JSON.parse(packet.slice(end)) as [AckResult<unknown>];
      settle(result);
    }
  }
}

/**
 * Calls `visit(seq, t)` for every benchmark payload in a raw `event` frame: one, or several in a
 * batch frame. It reads the numbers in place (payloads start with `{"seq":N,"t":T`) rather than
 * parsing the JSON.
 *
 * @example
 * scanPayloads('2["event",{"id":"..","payload":{"seq":7,"t":123,...}}]', (seq, t) => ...);
 */
export function scanPayloads(frame: string, visit: (seq: number, t: number) => void): void {
  let at = frame.indexOf(SEQ_MARK);
  while (at !== -1) {
    const seqStart = at + SEQ_MARK.length;
    const seq = readInteger(frame, seqStart);
    const tAt = frame.indexOf(T_MARK, seqStart);
    if (tAt === -1) return;
    visit(seq, readInteger(frame, tAt + T_MARK.length));
    at = frame.indexOf(SEQ_MARK, tAt);
  }
}

const SEQ_MARK = '{"seq":';
const T_MARK = ',"t":';

/**
 * The non-negative integer written at `start` of `text` (0 when there is none), read in place.
 *
 * @example
 * readInteger('{"t":123}', 5); // 123
 */
export function readInteger(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < text.length; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}
