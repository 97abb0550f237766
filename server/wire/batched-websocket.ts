import createDebug from 'debug';
import { transports } from 'engine.io';
import type { Packet } from 'engine.io-parser';
import type { EngineRequest } from './engine-transports.js';
import type { Flushable, FrameFlusher } from './frame-flusher.js';

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
   * How long packets wait for others bound for the same connection, ms. `0` leaves it to
   * `flusher`: written at once, or after its load window while the server is busy.
   */
  windowMs: number;
  /**
   * Most bytes of text packets in one frame: a batch reaching it is written at once, and a longer
   * queue is split into frames of at most this size (a single larger packet goes alone).
   */
  maxFrameBytes: number;
  /** Ends the window (`windowMs: 0`) of all of one server's connections together. */
  flusher: FrameFlusher;
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

/**
 * The whole websocket text frame for `payload`: the header (RFC 6455 §5.2: FIN and opcode 1, no
 * mask as a server sends, a 7-bit, 16-bit or 64-bit length) and the payload in one buffer.
 *
 * Why one buffer: ws writes a frame as a header and a payload, corked, which Node turns into a
 * `writev` of two chunks; one buffer is one plain `write`, measurably cheaper per connection
 * (test/bench case 3), and a broadcast builds it once for every receiver.
 *
 * @example
 * textFrame(Buffer.from('4hi')); // <81 03 34 68 69>
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerBytes);
  return frame;
}

/** One buffer of a pre-encoded frame's parts (`[header, payload]`, as Socket.IO builds a broadcast's). */
function joinedFrame(parts: readonly Buffer[]): Buffer {
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/**
 * The last frame any connection wrote for a batch of several packets. The connections of a room
 * are sent the same packets (Socket.IO encodes a broadcast once, every receiver's packet holds the
 * same string), and engine.io flushes them one after another: the next connection with the same
 * batch writes this frame instead of joining and encoding again, so a broadcast stays one encode
 * per batch.
 */
let lastBatch: { types: string[]; data: (string | undefined)[]; frame: Buffer } | undefined;

/** The last broadcast frame made whole: Socket.IO's pre-encoded `[header, payload]`, and the one buffer of both. */
let lastPreEncoded: { parts: unknown; frame: Buffer } | undefined;

/** The byte length of the last text measured (the same broadcast string, connection after connection). */
let lastMeasured: { data: string; bytes: number } = { data: '', bytes: 0 };

function byteLengthOf(data: string): number {
  if (lastMeasured.data !== data) lastMeasured = { data, bytes: Buffer.byteLength(data) };
  return lastMeasured.bytes;
}

/** Bytes a packet takes in a text frame (type character and data), or -1 for a binary packet (a frame of its own). */
function textBytesOf(packet: Packet): number {
  const { data } = packet;
  if (data === undefined) return 1;
  return typeof data === 'string' ? 1 + byteLengthOf(data) : -1;
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
 * buffers, so under load batches grow by themselves. While the server has time to spare
 * ({@link FrameFlusher.writesAtOnce}) a connection with nothing queued writes at once, and what
 * comes while that frame is being written follows in one frame. Each `send()` call is answered
 * with one `drain` (engine.io pairs them with its send callbacks), then `ready` as the base class
 * does.
 * Every text frame is written as one buffer, header and payload together, built once for all the
 * receivers of a broadcast (Socket.IO's pre-encoded frame for a single packet, the shared batch
 * frame otherwise); binary packets go as the base class sends them. A close written by engine.io (`doClose`) first writes what is queued; once the
 * websocket has closed nothing is written.
 *
 * Only used for clients that ask for it (`batch=1` in the query): others get one packet per frame.
 *
 * @example
 * useTransportFactory(io, (name, req, fallback) =>
 *   name === 'websocket' && req._query.batch === '1' ? new BatchedWebSocket(req, { windowMs: 0, maxFrameBytes: 1e6 }) : fallback());
 */
export class BatchedWebSocket extends transports.websocket implements Flushable {
  private readonly ws: WsSocket;
  private readonly batching: BatchedWebSocketOptions;
  private queue: Packet[] = [];
  /** Bytes the queued text packets take in a frame (type character and data each). */
  private queuedBytes = 0;
  /** Whether a binary packet is queued (it goes in a frame of its own). */
  private queuedBinary = false;
  /** `send()` calls whose packets are queued: each gets one `drain` once they are written. */
  private queuedSends = 0;
  /** `send()` calls whose packets are being written, answered when the last frame of the flush is. */
  private sendsInFlight = 0;
  /** Frames of the current flush not yet written. */
  private framesInFlight = 0;
  /** The write callback of this connection's frames (one per connection, not one per frame). */
  private readonly onFrameWritten: (err?: Error) => void;
  /** The `windowMs` timer, when one is set. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the queue waits for the flusher's window to end. */
  private waitsForFlush = false;

  /** The `windowMs` timer's callback, shared by every connection (no closure per connection). */
  private static onTimer(transport: BatchedWebSocket): void {
    transport.timer = undefined;
    transport.flushQueue();
  }

  constructor(req: EngineRequest, options: BatchedWebSocketOptions) {
    super(req as ConstructorParameters<typeof transports.websocket>[0]);
    this.ws = req.websocket as WsSocket;
    this.batching = options;
    this.onFrameWritten = (err) => this.frameWritten(err);
  }

  override send(packets: Packet[]): void {
    this.queuedSends += 1;
    for (let i = 0; i < packets.length; i += 1) {
      const packet = packets[i] as Packet;
      const bytes = textBytesOf(packet);
      if (bytes < 0) this.queuedBinary = true;
      else this.queuedBytes += bytes;
      this.queue.push(packet);
    }
    if (this.queuedBytes >= this.batching.maxFrameBytes || this.writesAtOnce()) this.flushQueue();
    else this.schedule();
  }

  /** Whether the queue (only these packets) goes now: no `windowMs`, nothing waiting, and a server with time to spare. */
  private writesAtOnce(): boolean {
    return this.batching.windowMs === 0 && !this.waitsForFlush && this.batching.flusher.writesAtOnce();
  }

  override doClose(fn?: () => void): void {
    // engine.io closes once its own buffer is handed over: what is queued here goes first.
    this.flushQueue();
    super.doClose(fn);
  }

  protected override onClose(): void {
    this.clearTimer();
    if (this.queue.length > 0) debug('websocket closed with %d packets unsent', this.queue.length);
    this.clearQueue();
    super.onClose();
  }

  private schedule(): void {
    if (this.batching.windowMs > 0) {
      this.timer ??= setTimeout(BatchedWebSocket.onTimer, this.batching.windowMs, this);
      return;
    }
    if (this.waitsForFlush) return;
    this.waitsForFlush = true;
    this.batching.flusher.add(this);
  }

  /** The flusher's window ended: writes what is queued (unless written meanwhile, at the bound or a close). */
  flushQueued(): void {
    if (!this.waitsForFlush) return;
    this.waitsForFlush = false;
    this.flushQueue();
  }

  private clearTimer(): void {
    // Left in the flusher's list, it is skipped there.
    this.waitsForFlush = false;
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private clearQueue(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.queuedBinary = false;
    this.queuedSends = 0;
  }

  /** Writes everything queued, in order, as few frames as the bound allows. */
  private flushQueue(): void {
    this.clearTimer();
    if (this.queue.length === 0) return;
    const queue = this.queue;
    const sends = this.queuedSends;
    // The common case: text packets within the bound, one frame.
    const oneFrame = !this.queuedBinary && this.queuedBytes <= this.batching.maxFrameBytes;
    this.clearQueue();
    // A closed or closing websocket takes no more frames (ws would fail each write).
    if (this.readyState === 'closed' || this.ws.readyState !== WS_OPEN) return;
    this.writable = false;
    this.sendsInFlight = sends;
    if (oneFrame) {
      this.framesInFlight = 1;
      this.writeFrame(queue);
      return;
    }
    const frames = frameQueue(queue, this.batching.maxFrameBytes);
    debug('writing %d packets in %d frames', queue.length, frames.length);
    this.framesInFlight = frames.length;
    for (const frame of frames) this.writeFrame(frame);
  }

  /** Writes the packets of one frame (all text, or a single packet); {@link onFrameWritten} hears when it is written. */
  private writeFrame(frame: Packet[]): void {
    const sender = this.ws._sender;
    const direct = !this.perMessageDeflate && typeof sender?.sendFrame === 'function';
    if (frame.length > 1) {
      if (direct) sender?.sendFrame?.([this.batchFrame(frame)], this.onFrameWritten);
      else this.ws.send(this.batchPayload(frame), { binary: false }, this.onFrameWritten);
      return;
    }
    const packet = frame[0] as Packet;
    const parts = (packet.options as { wsPreEncodedFrame?: Buffer[] } | undefined)?.wsPreEncodedFrame;
    if (direct && parts !== undefined) {
      // A broadcast's frame, encoded once for every receiver, written as one buffer.
      if (lastPreEncoded?.parts !== parts) lastPreEncoded = { parts, frame: joinedFrame(parts) };
      sender?.sendFrame?.([lastPreEncoded.frame], this.onFrameWritten);
    } else {
      this.parser.encodePacket(packet, this.supportsBinary, (data) => this.ws.send(data, this.onFrameWritten));
    }
  }

  /** The whole websocket frame of a batch, shared with the previous connection's when it held the same packets. */
  private batchFrame(frame: Packet[]): Buffer {
    const cached = lastBatch;
    if (cached !== undefined && cached.types.length === frame.length) {
      let same = true;
      for (let i = 0; i < frame.length && same; i += 1) {
        const packet = frame[i] as Packet;
        same = cached.types[i] === packet.type && cached.data[i] === packet.data;
      }
      if (same) return cached.frame;
    }
    const batch = {
      types: frame.map((packet) => packet.type),
      data: frame.map((packet) => packet.data as string | undefined),
      frame: textFrame(this.batchPayload(frame)),
    };
    lastBatch = batch;
    return batch.frame;
  }

  /** The UTF-8 of the text packets of `frame` joined by {@link BATCH_SEPARATOR}. */
  private batchPayload(frame: Packet[]): Buffer {
    const texts: string[] = [];
    for (const packet of frame) {
      // Synchronous for text packets: engine.io-parser calls back at once.
      this.parser.encodePacket(packet, false, (data) => texts.push(data as string));
    }
    return Buffer.from(texts.join(BATCH_SEPARATOR));
  }

  /** One frame written: after the last of a flush, a `drain` per `send()` it held, then `ready`. */
  private frameWritten(err?: Error): void {
    if (err) {
      this.onError('write error', err.stack);
      return;
    }
    this.framesInFlight -= 1;
    if (this.framesInFlight > 0) return;
    const sends = this.sendsInFlight;
    this.sendsInFlight = 0;
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
function frameQueue(queue: Packet[], maxFrameBytes: number): Packet[][] {
  const frames: Packet[][] = [];
  let current: Packet[] = [];
  let bytes = 0;
  for (const packet of queue) {
    const packetBytes = textBytesOf(packet);
    if (packetBytes < 0) {
      if (current.length > 0) frames.push(current);
      frames.push([packet]);
      current = [];
      bytes = 0;
      continue;
    }
    if (current.length > 0 && bytes + 1 + packetBytes > maxFrameBytes) {
      frames.push(current);
      current = [];
      bytes = 0;
    }
    bytes += (current.length > 0 ? 1 : 0) + packetBytes;
    current.push(packet);
  }
  if (current.length > 0) frames.push(current);
  return frames;
}
