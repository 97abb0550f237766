import createDebug from 'debug';
import { transports } from 'engine.io';
import type { Packet } from 'engine.io-parser';
import type { RawData, WebSocket as WsSocket } from 'ws';
import { ErrorCode, WS_CLOSE, type ErrorShape } from '../../shared/index.js';
import type { EngineRequest } from './engine-transports.js';
import {
  answerMessage,
  errorMessage,
  readClientFrame,
  socketIoAck,
  socketIoConnect,
  socketIoRequest,
  type ClientEventName,
  type ClientFrameItem,
} from './json-ws-translator.js';
import type { LastTranslationCache } from './last-translation-cache.js';

const debug = createDebug('realtime:wire:json-websocket');

/**
 * What one `/ws` connection is opened with (from its upgrade request and the server's options).
 *
 * @example
 * const settings: JsonWebSocketSettings = { batch: true, maxPendingRequests: 256, maxClientFrameMessages: 100, maxFrameMessages: 256, maxFrameBytes: 65536, cache };
 */
export interface JsonWebSocketSettings {
  /** The `?token=` of the upgrade request, sent in the Socket.IO handshake `auth`. */
  token?: string;
  /** Pack the messages the engine hands over together into one array frame (`?batch=0` turns it off). */
  batch: boolean;
  /** Requests waiting for their answer or for the connection to open; more are refused. */
  maxPendingRequests: number;
  /** Most messages a client frame (an array) may hold. */
  maxClientFrameMessages: number;
  /** Most messages in one server frame. */
  maxFrameMessages: number;
  /** Bytes past which a server frame takes no further message. */
  maxFrameBytes: number;
  /** The server's translations of broadcast events, shared by its `/ws` connections. */
  cache: LastTranslationCache;
}

/** A request on its way: what to answer it as. */
interface PendingRequest {
  event: ClientEventName;
  ref: unknown;
}

type Queued = Extract<ClientFrameItem, { kind: 'request' | 'ack' }>;

/** The `session:opened` event: the gateway has every request handler in place once it is sent. */
const SESSION_OPENED = 'session:opened';

/**
 * engine.io's WebSocket transport, speaking `/ws` JSON messages instead of Socket.IO packets.
 *
 * Why this exists: engine.io and Socket.IO see an ordinary WebSocket connection, so a `/ws`
 * client is a Socket.IO socket on the server, with every feature, permission, rate limit, room,
 * the Redis adapter and recovery unchanged. This class only translates at the edge:
 * - it opens Socket.IO's session itself (the CONNECT packet with the `?token=`), so the handshake
 *   middlewares (token, connection limits) judge it as any client; a refusal becomes an `error`
 *   message and a close with code 4000 + the HTTP status;
 * - client requests wait until `session:opened` (Socket.IO drops packets sent before its connect
 *   completes, and closes the connection), bounded by `maxPendingRequests`;
 * - each request goes out with an acknowledgement id of its own, remembered with the client's
 *   `ref` so that the answer echoes it;
 * - engine heartbeats are WebSocket ping frames, and the peer's pong feeds engine's `pong`: a
 *   silent peer is closed by the same ping timeout as a Socket.IO one;
 * - the packets the engine hands over together (those written while the last frame was on its
 *   way) go out as one JSON array frame, within `maxFrameMessages` and `maxFrameBytes`.
 *
 * @example
 * useTransportFactory(io, (name, req, fallback) => (isPlainRequest(req) ? new JsonWebSocket(req, settings) : fallback()));
 */
export class JsonWebSocket extends transports.websocket {
  private readonly ws: WsSocket;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly queued: Queued[] = [];
  private open = false;
  private nextAckId = 0;
  /** Set when the server ended the session or refused it: the close follows what was sent. */
  private closing: { code: number; reason: string } | undefined;

  constructor(
    req: EngineRequest,
    private readonly settings: JsonWebSocketSettings,
  ) {
    super(req as ConstructorParameters<typeof transports.websocket>[0]);
    this.ws = req.websocket as WsSocket;
    // The base class decodes engine.io packets from every message; these frames are JSON.
    this.ws.removeAllListeners('message');
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    this.ws.on('pong', () => this.onPacket({ type: 'pong' }));
    // engine.io hands the new socket to Socket.IO in the same tick that builds this transport.
    process.nextTick(() => {
      if (this.readyState === 'open') this.onPacket({ type: 'message', data: socketIoConnect(settings.token) });
    });
  }

  /** The translations this server's `/ws` connections share: a seam for tests and benchmarks. */
  get translationCache(): LastTranslationCache {
    return this.settings.cache;
  }

  /** Engine packets out: heartbeats as ping frames, Socket.IO packets as `/ws` messages. */
  override send(packets: Packet[]): void {
    this.writable = false;
    const messages: { text: string; bytes: number }[] = [];
    let opened = false;
    for (const packet of packets) {
      if (packet.type === 'ping') {
        this.ws.ping();
        continue;
      }
      if (packet.type !== 'message' || typeof packet.data !== 'string') continue;
      const read = this.settings.cache.read(packet.data);
      switch (read.kind) {
        case 'message':
          messages.push({ text: read.message, bytes: read.bytes ?? Buffer.byteLength(read.message) });
          if (!this.open && read.name === SESSION_OPENED) opened = true;
          break;
        case 'answer': {
          const request = this.pending.get(read.ackId);
          if (request === undefined) break;
          this.pending.delete(read.ackId);
          const text = JSON.stringify(answerMessage(request.event, request.ref, read.result));
          messages.push({ text, bytes: Buffer.byteLength(text) });
          break;
        }
        case 'refused':
          messages.push({ text: read.message, bytes: Buffer.byteLength(read.message) });
          this.closing = { code: read.closeCode, reason: read.reason };
          break;
        case 'disconnect':
          this.closing = { code: WS_CLOSE.SERVER_DISCONNECT, reason: 'server disconnect' };
          break;
        default:
          break;
      }
    }
    this.writeFrames(messages);
    if (this.closing !== undefined) this.ws.close(this.closing.code, this.closing.reason);
    if (opened) this.openRequests();
  }

  /** Closed by engine.io (ping timeout, server shutdown, a forced close): the server is going away. */
  override doClose(fn?: () => void): void {
    this.ws.close(this.closing?.code ?? 1001, this.closing?.reason ?? 'server closed the connection');
    fn?.();
  }

  private writeFrames(messages: { text: string; bytes: number }[]): void {
    if (messages.length === 0) {
      process.nextTick(() => this.onFramesSent());
      return;
    }
    const frames = this.settings.batch ? this.pack(messages) : messages.map((message) => message.text);
    frames.forEach((frame, index) => {
      const last = index === frames.length - 1;
      this.ws.send(frame, last ? (err) => this.onFramesSent(err) : (err) => this.onSendError(err));
    });
  }

  /** Messages in array frames (a lone message stays an object), within the frame bounds. */
  private pack(messages: { text: string; bytes: number }[]): string[] {
    if (messages.length === 1) return [messages[0]!.text];
    const frames: string[] = [];
    let group: string[] = [];
    let bytes = 0;
    const close = (): void => {
      frames.push(group.length === 1 ? group[0]! : `[${group.join(',')}]`);
      group = [];
      bytes = 0;
    };
    for (const message of messages) {
      if (group.length > 0 && (group.length >= this.settings.maxFrameMessages || bytes + message.bytes > this.settings.maxFrameBytes)) close();
      group.push(message.text);
      bytes += message.bytes + 1;
    }
    close();
    return frames;
  }

  private onFramesSent(err?: Error): void {
    if (err !== undefined && err !== null) {
      this.onSendError(err);
      return;
    }
    this.emit('drain');
    this.writable = true;
    this.emit('ready');
  }

  private onSendError(err?: Error): void {
    if (err !== undefined && err !== null) this.onError('write error', err.stack);
  }

  /** A client frame: pings answered here, bad messages refused here, the rest sent on. */
  private onFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.reply([errorMessage({ code: ErrorCode.INVALID_ARGUMENT, message: 'Binary frames are not accepted: send JSON text' })]);
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
    const replies: object[] = [];
    for (const item of readClientFrame(text, this.settings.maxClientFrameMessages)) {
      if (item.kind === 'ping') replies.push({ type: 'pong', ref: item.ref });
      else if (item.kind === 'invalid') replies.push(errorMessage(item.error, item.ref));
      else if (!this.open) {
        if (this.queued.length >= this.settings.maxPendingRequests) replies.push(this.tooMany(item));
        else this.queued.push(item);
      } else {
        const refusal = this.forward(item);
        if (refusal !== undefined) replies.push(refusal);
      }
    }
    this.reply(replies);
  }

  /** Sends what the session queued before it opened, in order. */
  private openRequests(): void {
    this.open = true;
    const refusals = this.queued.splice(0).flatMap((item) => this.forward(item) ?? []);
    this.reply(refusals);
  }

  /** Hands a request or an ack to Socket.IO; answers a request over the limit itself. */
  private forward(item: Queued): object | undefined {
    if (item.kind === 'ack') {
      this.onPacket({ type: 'message', data: socketIoAck(item.ackId, item.data) });
      return undefined;
    }
    if (this.pending.size >= this.settings.maxPendingRequests) return this.tooMany(item);
    const ackId = this.nextAckId;
    this.nextAckId = (this.nextAckId + 1) % 2 ** 31;
    this.pending.set(ackId, { event: item.event, ref: item.ref });
    debug('request %s (ack %d)', item.event, ackId);
    this.onPacket({ type: 'message', data: socketIoRequest(item.event, item.request, ackId) });
    return undefined;
  }

  private tooMany(item: Queued): object {
    const error: ErrorShape = {
      code: ErrorCode.LIMIT_EXCEEDED,
      message: `At most ${this.settings.maxPendingRequests} requests may wait for their answer on one connection`,
      details: { limit: this.settings.maxPendingRequests },
    };
    return errorMessage(error, item.kind === 'request' ? item.ref : undefined);
  }

  /** Messages of the transport's own (pong, refusals), outside engine.io's write buffer. */
  private reply(messages: object[]): void {
    if (messages.length === 0 || this.ws.readyState !== this.ws.OPEN) return;
    const texts = messages.map((message) => JSON.stringify(message));
    const frames = this.settings.batch && texts.length > 1 ? [`[${texts.join(',')}]`] : texts;
    for (const frame of frames) this.ws.send(frame, (err) => this.onSendError(err));
  }
}
