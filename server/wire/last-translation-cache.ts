import { readServerPacket, type ServerPacket } from './json-ws-translator.js';

/**
 * A server packet read, with the byte length of its message when it is one.
 *
 * @example
 * const packet: CachedPacket = { kind: 'message', name: 'event', message: '{"type":"event"}', bytes: 16 };
 */
export type CachedPacket = ServerPacket & { bytes?: number };

/**
 * Remembers the last server event translated to a `/ws` message, for every `/ws` connection of a
 * server.
 *
 * Why this exists: a broadcast is encoded once (socket.io-adapter) and the same string is written
 * to each recipient's transport in one synchronous loop. Without this, every `/ws` recipient would
 * decode and re-serialise it; with it, the first one does and the others reuse its message. Only
 * events are kept: an acknowledgement answers one connection, and its message carries that
 * connection's `ref`.
 *
 * @example
 * const cache = new LastTranslationCache();
 * cache.read('2["event",{"topic":"t"}]'); // translated
 * cache.read('2["event",{"topic":"t"}]'); // the same result, not translated again
 */
export class LastTranslationCache {
  private encoded: string | undefined;
  private packet: CachedPacket | undefined;
  /** How many packets were translated (not served from the cache); for tests and benchmarks. */
  translations = 0;

  /** The packet `encoded` reads as. */
  read(encoded: string): CachedPacket {
    if (encoded === this.encoded && this.packet !== undefined) return this.packet;
    this.translations += 1;
    const packet = readServerPacket(encoded);
    if (packet.kind !== 'message') return packet;
    const cached: CachedPacket = { ...packet, bytes: Buffer.byteLength(packet.message) };
    this.encoded = encoded;
    this.packet = cached;
    return cached;
  }
}
