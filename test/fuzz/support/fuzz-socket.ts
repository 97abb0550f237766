import { Socket as EngineSocket } from 'engine.io-client';
import { encodeJson } from './fuzz-json.js';

/**
 * A binary packet nested deeper than this may close its connection: Socket.IO rebuilds binary
 * packets recursively, overflows the stack on such a packet and closes the connection as a
 * protocol violation (socket.io#1880), before any platform code sees it. No SDK client can send
 * one (socket.io-client overflows encoding it, and the platform refuses anything past 64 levels);
 * the server must stay up and every other connection unaffected. See fuzz-findings.md (F1).
 */
export const BINARY_DEPTH_SOCKET_IO_REBUILDS = 2_000;

/** A server event the fuzzers check: `protocol:error`, `subscription:revoked`, `auth:expired`. */
export interface Notice {
  event: string;
  value: unknown;
}

/** The notice recorded for a server packet this client could not parse. */
export const UNPARSEABLE = '(unparseable packet)';

/** Server events kept as notices; every other delivery goes to `onEvent`, or is not even decoded. */
const NOTICE_EVENTS: ReadonlySet<string> = new Set(['protocol:error', 'subscription:revoked', 'auth:expired']);
const NOTICE_PREFIXES = [...NOTICE_EVENTS].map((event) => `2${JSON.stringify([event]).slice(0, -1)}`);

/** What a packet looks like on the wire, as {@link FuzzSocket.inspect} tells. */
export interface PacketShape {
  /** Its size: Socket.IO closes a connection whose frame exceeds `maxHttpBufferSize` (its last guard, by design). */
  bytes: number;
  binary: boolean;
  deepest: number;
  /** A binary packet too deep for Socket.IO to rebuild: it may close the connection. */
  protocolViolation: boolean;
}

/**
 * The server refused the Socket.IO CONNECT; `refusal` is the typed error it sent (`err.data` as
 * socket.io-client would call it), when it sent one.
 *
 * @example
 * try { await FuzzSocket.connect(url, token); } catch (err) { if (err instanceof ConnectRefusedError) check(err.refusal); }
 */
export class ConnectRefusedError extends Error {
  override readonly name = 'ConnectRefusedError';
  readonly refusal: unknown;

  constructor(packet: string) {
    super(`connection refused: ${packet.slice(1)}`);
    let refusal: unknown;
    try {
      refusal = (JSON.parse(packet.slice(1)) as { data?: unknown }).data;
    } catch {
      refusal = undefined;
    }
    this.refusal = refusal;
  }
}

/**
 * A Socket.IO connection spoken by hand over engine.io-client (the transport socket.io-client
 * uses, so the same websocket, handshake and heartbeat), protocol v5
 * (https://github.com/socketio/socket.io-protocol).
 *
 * Why not socket.io-client: a fuzzer must send what a hostile peer can, not only what the SDK
 * would. socket.io-client encodes with recursive functions that overflow the stack on payloads a
 * few thousand levels deep (the server's `JSON.parse` takes them), refuses reserved event names,
 * and cannot send a malformed packet. Here the payload's JSON is written by {@link encodeJson}
 * (any depth, typed arrays as binary attachments) and {@link sendFrame} sends raw packets.
 *
 * @example
 * const socket = await FuzzSocket.connect(url, token);
 * const [answer] = await socket.request('subscribe', [{ topic: 'a.b' }], 5000);
 */
export class FuzzSocket {
  /** Decoded `protocol:error`, `subscription:revoked` and `auth:expired` events, oldest first. */
  readonly notices: Notice[] = [];
  /** Why the connection ended, once it has. */
  closedBecause: string | undefined;
  /** Called with every other server event (deliveries), decoded; unset, they are not decoded at all. */
  onEvent: ((event: string, value: unknown) => void) | undefined;
  private nextAckId = 0;
  /** A binary event or acknowledgement whose attachments are still arriving. */
  private binary: { kind: 'event' | 'ack'; id: number | undefined; data: unknown; count: number; parts: Uint8Array[] } | undefined;
  private readonly acks = new Map<number, { resolve: (args: unknown[]) => void; reject: (err: Error) => void }>();

  private constructor(
    private readonly engine: EngineSocket,
    /** The Socket.IO socket id (what the server calls the connection id). */
    readonly id: string,
  ) {
    engine.on('message', (data) => {
      try {
        if (typeof data === 'string') this.onPacket(data);
        else this.onBinaryPart(data as ArrayBuffer | Uint8Array);
      } catch {
        // Socket.IO echoes an acknowledgement id past 2^53 as "1e+21", which is not a packet.
        this.notices.push({ event: UNPARSEABLE, value: typeof data === 'string' ? data : '<binary>' });
      }
    });
    engine.on('close', (reason) => this.ended(`transport closed: ${String(reason)}`));
  }

  /**
   * Opens a websocket-only connection and completes the Socket.IO CONNECT with `{ token }`;
   * rejects with the server's refusal.
   */
  static connect(url: string, token: string, timeoutMs = 5_000): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const engine = new EngineSocket(url, { path: '/socket.io/', transports: ['websocket'], upgrade: false });
      const timer = setTimeout(() => fail(new Error('connect timed out')), timeoutMs);
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
        if (!data.startsWith('0')) {
          fail(new ConnectRefusedError(data));
          return;
        }
        const { sid } = JSON.parse(data.slice(1)) as { sid: string };
        resolve(new FuzzSocket(engine, sid));
      };
      engine.on('message', onHandshake);
    });
  }

  /** Whether the connection is still open. */
  get connected(): boolean {
    return this.closedBecause === undefined;
  }

  /**
   * Sends `event` with `args` and an acknowledgement id; resolves with the acknowledgement's
   * arguments, rejects when none arrives within `timeoutMs` or the connection ends first.
   */
  request(event: string, args: readonly unknown[], timeoutMs: number): Promise<unknown[]> {
    const id = this.nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no acknowledgement within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.sendPacket([event, ...args], id);
    });
  }

  /** Sends `event` with `args` and no acknowledgement. */
  emit(event: string, args: readonly unknown[]): void {
    this.sendPacket([event, ...args], undefined);
  }

  /**
   * What the packet {@link request} or {@link emit} would send looks like: its size (to stay under
   * the transport limit), whether it has binary parts, and how deep it nests.
   */
  static inspect(event: string, args: readonly unknown[]): PacketShape {
    const { text, binaries, deepest } = encodeJson([event, ...args], { binary: true });
    const bytes = Buffer.byteLength(text) + binaries.reduce((sum, part) => sum + part.byteLength, 0);
    const binary = binaries.length > 0;
    return { bytes, binary, deepest, protocolViolation: binary && deepest > BINARY_DEPTH_SOCKET_IO_REBUILDS };
  }

  /** Sends one raw engine.io message: a Socket.IO packet as text, or a binary part. */
  sendFrame(frame: string | Uint8Array): void {
    this.engine.send(frame);
  }

  close(): void {
    this.engine.close();
  }

  private sendPacket(data: unknown[], ackId: number | undefined): void {
    const { text, binaries } = encodeJson(data, { binary: true });
    const id = ackId === undefined ? '' : String(ackId);
    if (binaries.length === 0) {
      this.engine.send(`2${id}${text}`);
      return;
    }
    this.engine.send(`5${binaries.length}-${id}${text}`);
    for (const part of binaries) this.engine.send(part);
  }

  private onPacket(packet: string): void {
    const type = packet.charAt(0);
    if (type === '2') {
      const notice = NOTICE_PREFIXES.some((prefix) => packet.startsWith(prefix));
      if (!notice && this.onEvent === undefined) return;
      this.dispatch('event', undefined, JSON.parse(packet.slice(1)) as unknown);
    } else if (type === '3') {
      const [id, json] = splitId(packet, 1);
      this.dispatch('ack', id, JSON.parse(json) as unknown);
    } else if (type === '5' || type === '6') {
      // BINARY_EVENT / BINARY_ACK: `<type><count>-<id?><json>`, then `count` binary parts.
      const dash = packet.indexOf('-');
      const [id, json] = splitId(packet, dash + 1);
      this.binary = { kind: type === '5' ? 'event' : 'ack', id, data: JSON.parse(json) as unknown, count: Number(packet.slice(1, dash)), parts: [] };
    } else if (type === '1') {
      this.ended('the server disconnected the socket');
      this.engine.close();
    }
  }

  private onBinaryPart(data: ArrayBuffer | Uint8Array): void {
    const pending = this.binary;
    if (pending === undefined) return;
    pending.parts.push(data instanceof Uint8Array ? data : new Uint8Array(data));
    if (pending.parts.length < pending.count) return;
    this.binary = undefined;
    this.dispatch(pending.kind, pending.id, withAttachments(pending.data, pending.parts));
  }

  private dispatch(kind: 'event' | 'ack', id: number | undefined, data: unknown): void {
    if (kind === 'ack') {
      const pending = id === undefined ? undefined : this.acks.get(id);
      if (pending === undefined || id === undefined) return;
      this.acks.delete(id);
      pending.resolve(data as unknown[]);
      return;
    }
    const [event, value] = data as [string, unknown];
    if (NOTICE_EVENTS.has(event)) this.notices.push({ event, value });
    else this.onEvent?.(event, value);
  }

  private ended(reason: string): void {
    this.closedBecause ??= reason;
    for (const pending of this.acks.values()) pending.reject(new Error(`connection ended: ${reason}`));
    this.acks.clear();
  }
}

/** The acknowledgement id (digits at `start`, if any) and the JSON after it. */
function splitId(packet: string, start: number): [number | undefined, string] {
  let end = start;
  while (end < packet.length && packet.charCodeAt(end) >= 0x30 && packet.charCodeAt(end) <= 0x39) end += 1;
  return [end === start ? undefined : Number(packet.slice(start, end)), packet.slice(end)];
}

/** Replaces Socket.IO's `{ _placeholder: true, num }` with the binary parts (what the server sent as binary). */
function withAttachments(value: unknown, parts: readonly Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((item) => withAttachments(item, parts));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record._placeholder === true && typeof record.num === 'number') return parts[record.num];
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record))
    Object.defineProperty(out, key, { value: withAttachments(inner, parts), enumerable: true, writable: true, configurable: true });
  return out;
}
