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
  send(data: string | Buffer | ArrayBuffer | ArrayBufferView, options: { binary?: boolean }, callback: (err?: Error) => void): void;
  send(data: string | Buffer | ArrayBuffer | ArrayBufferView, callback: (err?: Error) => void): void;
  _sender?: { sendFrame?: (frame: unknown, callback: (err?: Error) => void) => void };
}

/** `WebSocket.OPEN`. */
const WS_OPEN = 1;

/** A queued packet and its encoded size in bytes (`binary` packets go in frames of their own). */
interface Queued {
  packet: Packet;
  binary: boolean;
  bytes: number;
}

/**
 * The last batch any connection wrote, as UTF-8. The connections of a room are sent the same
 * packets (Socket.IO encodes a broadcast once, every receiver's packet holds the same string), and
 * engine.io flushes them one after another: the next connection with the same batch writes these
 * bytes instead of joining and encoding again, so a broadcast stays one encode per batch.
 */
let lastBatch: { types: string[]; data: (string | undefined)[]; payload: Buffer } | undefined;

/** The byte length of the last text measured (the same broadcast string, connection after connection). */
let lastMeasured: { data: string; bytes: number } = { data: '', bytes: 0 };

function byteLengthOf(data: string): number {
  if (lastMeasured.data !== data) lastMeasured = { data, bytes: Buffer.byteLength(data) };
  return lastMeasured.bytes;
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
  /** The `windowMs` timer, when one is set. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the queue waits for the end of this turn (in {@link turnQueue}). */
  private waitsForTurn = false;

  /**
   * The transports whose queues go at the end of this turn: one `setImmediate` for all of them
   * rather than one per connection (a broadcast to a room queues on every member at once).
   */
  private static turnQueue: BatchedWebSocket[] = [];
  private static turnScheduled = false;

  private static flushTurn(): void {
    const due = BatchedWebSocket.turnQueue;
    BatchedWebSocket.turnQueue = [];
    BatchedWebSocket.turnScheduled = false;
    for (const transport of due) {
      // Already written (bound reached, close) since it was queued: nothing to do.
      if (!transport.waitsForTurn) continue;
      transport.waitsForTurn = false;
      transport.flushQueue();
    }
  }

  /** The `windowMs` timer's callback, shared by every connection (no closure per connection). */
  private static onTimer(transport: BatchedWebSocket): void {
    transport.timer = undefined;
    transport.flushQueue();
  }

  constructor(req: EngineRequest, options: BatchedWebSocketOptions) {
    super(req as ConstructorParameters<typeof transports.websocket>[0]);
    this.ws = req.websocket as WsSocket;
    this.batching = options;
  }

  override send(packets: Packet[]): void {
    this.queuedSends += 1;
    for (const packet of packets) {
      const { data } = packet;
      const binary = data !== undefined && typeof data !== 'string';
      // The packet type is one character, then the data (engine.io protocol v4).
      const bytes = binary ? 0 : 1 + (data === undefined ? 0 : byteLengthOf(data));
      this.queue.push({ packet, binary, bytes });
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
    if (this.batching.windowMs > 0) {
      this.timer ??= setTimeout(BatchedWebSocket.onTimer, this.batching.windowMs, this);
      return;
    }
    if (this.waitsForTurn) return;
    this.waitsForTurn = true;
    BatchedWebSocket.turnQueue.push(this);
    if (!BatchedWebSocket.turnScheduled) {
      BatchedWebSocket.turnScheduled = true;
      setImmediate(BatchedWebSocket.flushTurn);
    }
  }

  private clearTimer(): void {
    // Left in the turn queue, it is skipped there.
    this.waitsForTurn = false;
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
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
    for (let index = 0; index < frames.length; index += 1) {
      const frame = frames[index] as Queued[];
      this.writeFrame(frame, index === frames.length - 1 ? (err) => this.onLastSent(err, sends) : (err) => this.onSent(err));
    }
  }

  private writeFrame(frame: Queued[], callback: (err?: Error) => void): void {
    const [first] = frame;
    if (first === undefined) return;
    if (frame.length > 1) {
      this.ws.send(this.batchPayload(frame), { binary: false }, callback);
      return;
    }
    const preEncoded = (first.packet.options as { wsPreEncodedFrame?: unknown } | undefined)?.wsPreEncodedFrame;
    const sendFrame = this.ws._sender?.sendFrame;
    if (!this.perMessageDeflate && preEncoded !== undefined && typeof sendFrame === 'function') {
      // A broadcast's frame, encoded once for every receiver (as the base class sends it).
      sendFrame.call(this.ws._sender, preEncoded, callback);
    } else {
      this.parser.encodePacket(first.packet, this.supportsBinary, (data) => this.ws.send(data, callback));
    }
  }

  /** The UTF-8 of the text packets of `frame` joined by {@link BATCH_SEPARATOR}, shared with the previous connection's when equal. */
  private batchPayload(frame: Queued[]): Buffer {
    const cached = lastBatch;
    if (cached !== undefined && cached.types.length === frame.length) {
      let same = true;
      for (let i = 0; i < frame.length && same; i += 1) {
        const { packet } = frame[i] as Queued;
        same = cached.types[i] === packet.type && cached.data[i] === packet.data;
      }
      if (same) return cached.payload;
    }
    const texts: string[] = [];
    for (const { packet } of frame) {
      // Synchronous for text packets: engine.io-parser calls back at once.
      this.parser.encodePacket(packet, false, (data) => texts.push(data as string));
    }
    const payload = Buffer.from(texts.join(BATCH_SEPARATOR));
    lastBatch = { types: frame.map(({ packet }) => packet.type), data: frame.map(({ packet }) => packet.data as string | undefined), payload };
    return payload;
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
    if (entry.binary) {
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
