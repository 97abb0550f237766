import type { Logger } from 'pino';
import type { RealtimeIo } from '../socket-types.js';

/** What the guard needs to know of engine.io's socket (one per connection). */
interface EngineSocket {
  id: string;
  writeBuffer: { data?: unknown }[];
  on(event: 'packetCreate', listener: (this: EngineSocket, packet: { data?: unknown }) => void): void;
  on(event: 'flush', listener: (this: EngineSocket) => void): void;
  close(discard?: boolean): void;
  transport?: { socket?: { terminate?(): void } };
  /** Bytes of the packets waiting in `writeBuffer` (kept here by the guard). */
  queuedBytes?: number;
}

/** What {@link guardSendQueues} is built from. */
export interface SendQueueGuardOptions {
  /** Bytes waiting for one connection past which it is closed. */
  maxQueuedBytes: number;
  logger: Logger;
  /** Hears each connection closed for it (the server's metrics count them). */
  onClosed?: () => void;
}

/**
 * Closes a connection whose client does not read what it is sent: once the packets waiting for
 * it pass `maxQueuedBytes`, the connection is closed (the client reconnects and recovers what it
 * missed from the topics' history, like after any disconnect).
 *
 * Why this exists: engine.io keeps every packet for a connection whose socket cannot take more
 * (a stalled phone, a client that stopped its event loop) in an unbounded array. A few such
 * clients subscribed to a busy topic would grow the server's memory without limit and slow every
 * other tenant; a platform bounds what one connection can hold, as Centrifugo does with its
 * client queue. The count is kept per connection as packets are queued and reset when engine.io
 * hands the queue to the transport, so the check costs an addition per packet.
 *
 * @example
 * guardSendQueues(io, { maxQueuedBytes: 4 * 1024 * 1024, logger });
 */
export function guardSendQueues(io: RealtimeIo, options: SendQueueGuardOptions): void {
  const { maxQueuedBytes, logger } = options;
  // Shared by every connection: the emitter calls them with the engine socket as `this`.
  function queued(this: EngineSocket, packet: { data?: unknown }): void {
    const data = packet.data;
    this.queuedBytes = (this.queuedBytes ?? 0) + (typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 16);
    if (this.queuedBytes <= maxQueuedBytes) return;
    logger.warn(
      { engineId: this.id, queuedBytes: this.queuedBytes, packets: this.writeBuffer.length, limit: maxQueuedBytes },
      'closing a connection that does not read: its send queue passed the limit',
    );
    this.queuedBytes = 0;
    options.onClosed?.();
    // Discard what is queued (the client reads nothing of it) and drop the TCP connection at once:
    // a graceful WebSocket close would wait behind the unread bytes.
    this.close(true);
    this.transport?.socket?.terminate?.();
  }
  function flushed(this: EngineSocket): void {
    this.queuedBytes = 0;
  }
  io.engine.on('connection', (socket: EngineSocket) => {
    socket.on('packetCreate', queued);
    socket.on('flush', flushed);
  });
}
