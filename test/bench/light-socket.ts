import { Socket as EngineSocket } from 'engine.io-client';
import { BatchedWebSocketTransport } from '../../client/batched-websocket-transport.js';
import type { AckResult } from '../../shared/index.js';
import { REQUEST_TIMEOUT_MS } from './bench-socket.js';

/**
 * A minimal Socket.IO client for the receiving connections: engine.io-client (the transport
 * socket.io-client itself uses, so the same websocket, handshake and heartbeat) plus the few
 * Socket.IO packets a receiver needs, written by hand (protocol v5:
 * https://github.com/socketio/socket.io-protocol): CONNECT with the auth token, EVENT with an ack
 * id for requests, ACK back, and incoming EVENT frames handed over undecoded.
 *
 * Why not socket.io-client: on a 2-core machine the receiving processes share the cores with the
 * server, and socket.io-client's per-message decoding (a JSON.parse of every delivery, event
 * emitters) cost more CPU per delivery than the server spends producing it, so the load generator,
 * not the server, set the pace. Receivers here only read `seq` and `t` out of the raw frame.
 *
 * @example
 * const socket = await LightSocket.connect(url, token);
 * socket.onEvent = (frame) => count(frame);
 * await socket.request('subscribe', { topic: 'bench.fanout' });
 */
export class LightSocket {
  /** Receives every server EVENT packet as its raw text, e.g. `2["event",{...}]`. */
  onEvent: ((frame: string) => void) | undefined;
  private nextAckId = 0;
  private readonly acks = new Map<number, (result: AckResult<unknown>) => void>();

  private constructor(private readonly engine: EngineSocket) {
    engine.on('message', (data) => {
      if (typeof data === 'string') this.onPacket(data);
    });
    engine.on('close', () => {
      for (const settle of this.acks.values()) settle({ ok: false, error: { code: 'UNAVAILABLE', message: 'connection closed' } });
      this.acks.clear();
    });
  }

  /**
   * Opens a websocket-only connection and completes the Socket.IO CONNECT with `{ token }`. With
   * `batchedFrames` it uses the client's own batching transport (asks with `batch=1`, unpacks
   * frames into packets), as `RealtimeClient` does by default.
   */
  static connect(url: string, token: string, options: { batchedFrames: boolean } = { batchedFrames: false }): Promise<LightSocket> {
    return new Promise((resolve, reject) => {
      const engine = new EngineSocket(url, {
        path: '/socket.io/',
        transports: options.batchedFrames ? [BatchedWebSocketTransport] : ['websocket'],
        upgrade: false,
      });
      const timer = setTimeout(() => fail(new Error('connect timed out')), REQUEST_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        engine.close();
        reject(err);
      };
      engine.once('open', () => engine.send(`0${JSON.stringify({ token })}`));
      engine.once('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
      const onHandshake = (data: unknown): void => {
        if (typeof data !== 'string') return;
        engine.off('message', onHandshake);
        clearTimeout(timer);
        if (data.startsWith('0')) resolve(new LightSocket(engine));
        else fail(new Error(`connection refused: ${data.slice(1)}`));
      };
      engine.on('message', onHandshake);
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
      this.engine.send(`2${id}${JSON.stringify([event, data])}`);
    });
  }

  /** Sends `event` with `data` and no ack id (fire-and-forget, as `object:set` location streams do). */
  emit(event: string, data: unknown): void {
    this.engine.send(`2${JSON.stringify([event, data])}`);
  }

  close(): void {
    this.engine.close();
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
