import createDebug from 'debug';
import { transports } from 'engine.io';
import type { Packet } from 'engine.io-parser';
import type { EngineRequest } from './engine-transports.js';

const debug = createDebug('realtime:batched-websocket');

/**
 * Joins packets in one frame the way engine.io protocol v4 joins them in a polling payload
 * (https://github.com/socketio/engine.io-protocol#payload): JSON text never holds a raw \x1e.
 */
export const BATCH_SEPARATOR = '\x1e';

/** The query parameter a client sets (`batch=1`) to receive batched frames. */
export const BATCH_QUERY_PARAMETER = 'batch';

/** How a {@link BatchedWebSocket} batches. */
export interface BatchedWebSocketOptions {
  /**
   * How long packets wait for others bound for the same connection, ms. `0` waits until the
   * current turn of the event loop ends (`setImmediate`).
   */
  windowMs: number;
  /**
   * Most bytes of text packets in one frame: a batch reaching it is written at once, and a longer
   * queue is split into frames of at most this size (a single larger packet goes alone).
   */
  maxFrameBytes: number;
}

/** The part of a `ws` socket the transport writes with. */
interface WsSocket {
  readyState: number;
  send(data: string | Buffer | ArrayBuffer | ArrayBufferView, callback: (err?: Error) => void): void;
  _sender?: { sendFrame?: (frame: unknown, callback: (err?: Error) => void) => void };
}

/** `WebSocket.OPEN`. */
const WS_OPEN = 1;

/** A queued packet and, for a text packet, its encoding and its size in bytes. */
interface Queued {
  packet: Packet;
  text: string | undefined;
  bytes: number;
}

/**
 * engine.io's websocket transport, writing every packet bound for the connection within one
 * window as ONE websocket frame (the packets joined by {@link BATCH_SEPARATOR}).
 *
 * Why this exists: most of the cost of a delivery is per frame (a websocket write and a system
 * call per connection), so packing the events of one turn of the event loop into one frame divides
 * it. Batching here, below Socket.IO, keeps the order of everything the connection receives
 * (events, sync changes, channel messages, acks, pings) and leaves rooms, the adapter and every
 * feature as they are.
 *
 * How it fits engine.io (see `engine.io/build/socket.js` `flush`): the socket hands the transport
 * its write buffer only while `writable`. This transport stays writable while it collects, then
 * writes the frame(s) and is not writable until the last write's callback; meanwhile engine.io
 * buffers, so under load batches grow by themselves. Each `send()` call is answered with one
 * `drain` (engine.io pairs them with its send callbacks), then `ready` as the base class does.
 * Binary packets and single packets go as the base class sends them (a broadcast's pre-encoded
 * frame included). A close written by engine.io (`doClose`) first writes what is queued; once the
 * websocket has closed nothing is written.
 *
 * Only used for clients that ask for it (`batch=1` in the query): others get one packet per frame.
 *
 * @example
 * useTransportFactory(io, (name, req, fallback) =>
 *   name === 'websocket' && req._query.batch === '1' ? new BatchedWebSocket(req, { windowMs: 0, maxFrameBytes: 1e6 }) : fallback());
 */
export class BatchedWebSocket extends transports.websocket {
  private readonly ws: WsSocket;
  private readonly batching: BatchedWebSocketOptions;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  /** `send()` calls whose packets are queued: each gets one `drain` once they are written. */
  private queuedSends = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(req: EngineRequest, options: BatchedWebSocketOptions) {
    super(req as ConstructorParameters<typeof transports.websocket>[0]);
    this.ws = req.websocket as WsSocket;
    this.batching = options;
  }

  override send(packets: Packet[]): void {
    this.queuedSends += 1;
    for (const packet of packets) {
      const text = this.encodeText(packet);
      const bytes = text === undefined ? 0 : Buffer.byteLength(text);
      this.queue.push({ packet, text, bytes });
      this.queuedBytes += bytes;
    }
    if (this.queuedBytes >= this.batching.maxFrameBytes) this.flushQueue();
    else this.schedule();
  }

  override doClose(fn?: () => void): void {
    // engine.io closes once its own buffer is handed over: what is queued here goes first.
    this.flushQueue();
    super.doClose(fn);
  }

  protected override onClose(): void {
    this.clearTimer();
    if (this.queue.length > 0) debug('websocket closed with %d packets unsent', this.queue.length);
    this.queue = [];
    this.queuedBytes = 0;
    super.onClose();
  }

  private schedule(): void {
    if (this.cancelTimer !== undefined) return;
    const flush = (): void => {
      this.cancelTimer = undefined;
      this.flushQueue();
    };
    if (this.batching.windowMs > 0) {
      const timer = setTimeout(flush, this.batching.windowMs);
      this.cancelTimer = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(flush);
      this.cancelTimer = () => clearImmediate(immediate);
    }
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Writes everything queued, in order, as few frames as the bound allows. */
  private flushQueue(): void {
    this.clearTimer();
    if (this.queue.length === 0) return;
    const queue = this.queue;
    const sends = this.queuedSends;
    this.queue = [];
    this.queuedBytes = 0;
    this.queuedSends = 0;
    // A closed or closing websocket takes no more frames (ws would fail each write).
    if (this.readyState === 'closed' || this.ws.readyState !== WS_OPEN) return;
    this.writable = false;
    const frames = frameQueue(queue, this.batching.maxFrameBytes);
    debug('writing %d packets in %d frames', queue.length, frames.length);
    frames.forEach((frame, index) => {
      const last = index === frames.length - 1;
      this.writeFrame(frame, last ? (err) => this.onLastSent(err, sends) : (err) => this.onSent(err));
    });
  }

  private writeFrame(frame: Queued[], callback: (err?: Error) => void): void {
    const [first] = frame;
    if (first === undefined) return;
    if (frame.length > 1) {
      this.ws.send(frame.map((entry) => entry.text).join(BATCH_SEPARATOR), callback);
      return;
    }
    // Set by socket.io-adapter on a broadcast's packets, untyped in engine.io-parser.
    const preEncoded = (first.packet.options as { wsPreEncodedFrame?: unknown } | undefined)?.wsPreEncodedFrame;
    const sendFrame = this.ws._sender?.sendFrame;
    if (!this.perMessageDeflate && preEncoded !== undefined && typeof sendFrame === 'function') {
      // A broadcast's frame, encoded once for every receiver (as the base class sends it).
      sendFrame.call(this.ws._sender, preEncoded, callback);
    } else if (first.text !== undefined) {
      this.ws.send(first.text, callback);
    } else {
      this.parser.encodePacket(first.packet, this.supportsBinary, (data) => this.ws.send(data, callback));
    }
  }

  /** The encoding of a text packet; `undefined` for a binary one (it goes in a frame of its own). */
  private encodeText(packet: Packet): string | undefined {
    if (packet.data !== undefined && typeof packet.data !== 'string') return undefined;
    let text: string | undefined;
    // Synchronous for text packets: engine.io-parser calls back at once.
    this.parser.encodePacket(packet, false, (data) => {
      text = data as string;
    });
    return text;
  }

  private onSent(err?: Error): void {
    if (err) this.onError('write error', err.stack);
  }

  private onLastSent(err: Error | undefined, sends: number): void {
    if (err) {
      this.onError('write error', err.stack);
      return;
    }
    for (let i = 0; i < sends; i += 1) this.emit('drain');
    this.writable = true;
    this.emit('ready');
  }
}

/**
 * Splits a queue into frames: consecutive text packets share one while it stays within
 * `maxFrameBytes`; a binary packet is a frame of its own.
 * e.g. `frameQueue([a, b, binary, c], 1e6)` is `[[a, b], [binary], [c]]`.
 */
function frameQueue(queue: Queued[], maxFrameBytes: number): Queued[][] {
  const frames: Queued[][] = [];
  let current: Queued[] = [];
  let bytes = 0;
  const close = (): void => {
    if (current.length > 0) frames.push(current);
    current = [];
    bytes = 0;
  };
  for (const entry of queue) {
    if (entry.text === undefined) {
      close();
      frames.push([entry]);
      continue;
    }
    if (current.length > 0 && bytes + 1 + entry.bytes > maxFrameBytes) close();
    bytes += (current.length > 0 ? 1 : 0) + entry.bytes;
    current.push(entry);
  }
  close();
  return frames;
}
