import { compareOffsets } from '../../shared/index.js';

/** Live frames held back for one connection and stream while a recovery replays its gap. */
interface Hold<Frame> {
  count: number;
  /** Frames in arrival order. */
  buffer: Frame[];
  /** Offsets already sent by a replay, so nothing is sent twice. */
  sent: Set<string>;
}

/**
 * Holds live delivery of one stream to one connection while a resubscription replays what it
 * missed. Every recoverable stream uses it: topic events (the key is the topic's room) and channel
 * messages (the channel's room). `offsetOf` reads a frame's position in its stream.
 *
 * Why this exists: a resubscription joins the live stream before it reads the history (so nothing
 * published in between is lost), which means live frames can arrive while the replay is still
 * being read. They wait here, and when the last replay of that stream for that connection is done
 * they are released after it, minus anything the replay already sent: the client sees its gap,
 * then live frames, in order and once.
 *
 * @example
 * const holds = new DeliveryHolds<RealtimeEvent>((event) => event.metadata.offset);
 * holds.acquire(socket.id, room);
 * try { for (const event of replay) if (holds.markSent(socket.id, room, event)) socket.emit('event', event); }
 * finally { for (const event of holds.release(socket.id, room)) socket.emit('event', event); }
 */
export class DeliveryHolds<Frame> {
  /** Holds by stream, then by connection. */
  private readonly holds = new Map<string, Map<string, Hold<Frame>>>();

  constructor(private readonly offsetOf: (frame: Frame) => string | undefined) {}

  /** Whether any hold is active (the deliveries' fast path). */
  get active(): boolean {
    return this.holds.size > 0;
  }

  /** Starts holding `stream` for a connection (holds nest: each acquire needs its release). */
  acquire(socketId: string, stream: string): void {
    let held = this.holds.get(stream);
    if (held === undefined) this.holds.set(stream, (held = new Map()));
    const hold = held.get(socketId);
    if (hold === undefined) held.set(socketId, { count: 1, buffer: [], sent: new Set() });
    else hold.count += 1;
  }

  /** The connections holding `stream` now (empty when none). */
  holders(stream: string): Iterable<string> {
    return this.holds.get(stream)?.keys() ?? [];
  }

  /** Keeps a live frame for a held connection; false when the connection does not hold the stream. */
  offer(socketId: string, stream: string, frame: Frame): boolean {
    const hold = this.holds.get(stream)?.get(socketId);
    if (hold === undefined) return false;
    hold.buffer.push(frame);
    return true;
  }

  /** Records a replayed frame; false when it was already sent (by another replay of the stream). */
  markSent(socketId: string, stream: string, frame: Frame): boolean {
    const hold = this.holds.get(stream)?.get(socketId);
    const offset = this.offsetOf(frame);
    if (hold === undefined || offset === undefined) return true;
    if (hold.sent.has(offset)) return false;
    hold.sent.add(offset);
    return true;
  }

  /**
   * Ends one hold; when it was the last for the stream, returns the held live frames that the
   * replays did not already send, in arrival order. `after` drops frames at or before a position.
   */
  release(socketId: string, stream: string, after?: string): Frame[] {
    const held = this.holds.get(stream);
    const hold = held?.get(socketId);
    if (held === undefined || hold === undefined) return [];
    hold.count -= 1;
    if (hold.count > 0) return [];
    held.delete(socketId);
    if (held.size === 0) this.holds.delete(stream);
    return hold.buffer.filter((frame) => {
      const offset = this.offsetOf(frame);
      if (offset === undefined) return true;
      if (hold.sent.has(offset)) return false;
      return after === undefined || compareOffsets(offset, after) > 0;
    });
  }

  /** Drops every hold of a connection (on disconnect). */
  dropSocket(socketId: string): void {
    for (const [stream, held] of this.holds) {
      if (held.delete(socketId) && held.size === 0) this.holds.delete(stream);
    }
  }
}
