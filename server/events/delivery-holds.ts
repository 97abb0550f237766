import { compareOffsets, type RealtimeEvent } from '../../shared/index.js';

/** Live events held back for one connection and room while a recovery replays its gap. */
interface Hold {
  count: number;
  /** Shaped events in arrival order. */
  buffer: RealtimeEvent[];
  /** Offsets already sent by a replay, so nothing is sent twice. */
  sent: Set<string>;
}

/**
 * Holds live delivery to a connection's room while a resubscription replays what it missed.
 *
 * Why this exists: a resubscription joins the live stream before it reads the history (so nothing
 * published in between is lost), which means live events can arrive while the replay is still
 * being read. They wait here, and when the last replay for that room is done they are released
 * after it, minus anything the replay already sent: the client sees its gap, then live events, in
 * order and once.
 *
 * @example
 * holds.acquire(socket.id, room);
 * try { for (const event of replay) if (holds.markSent(socket.id, room, event)) socket.emit('event', event); }
 * finally { for (const event of holds.release(socket.id, room)) socket.emit('event', event); }
 */
export class DeliveryHolds {
  private readonly holds = new Map<string, Hold>();

  /** Whether any hold is active (the publisher's fast path). */
  get active(): boolean {
    return this.holds.size > 0;
  }

  acquire(socketId: string, room: string): void {
    const key = holdKey(socketId, room);
    const hold = this.holds.get(key);
    if (hold === undefined) this.holds.set(key, { count: 1, buffer: [], sent: new Set() });
    else hold.count += 1;
  }

  /** Keeps a live event for a held connection; false when the connection's room is not held. */
  offer(socketId: string, room: string, event: RealtimeEvent): boolean {
    const hold = this.holds.get(holdKey(socketId, room));
    if (hold === undefined) return false;
    hold.buffer.push(event);
    return true;
  }

  /** Records a replayed event; false when it was already sent (by another replay of the room). */
  markSent(socketId: string, room: string, event: RealtimeEvent): boolean {
    const hold = this.holds.get(holdKey(socketId, room));
    const offset = event.metadata.offset;
    if (hold === undefined || offset === undefined) return true;
    if (hold.sent.has(offset)) return false;
    hold.sent.add(offset);
    return true;
  }

  /**
   * Ends one hold; when it was the last for the room, returns the held live events that the
   * replays did not already send, in arrival order. `after` drops events at or before a position.
   */
  release(socketId: string, room: string, after?: string): RealtimeEvent[] {
    const key = holdKey(socketId, room);
    const hold = this.holds.get(key);
    if (hold === undefined) return [];
    hold.count -= 1;
    if (hold.count > 0) return [];
    this.holds.delete(key);
    return hold.buffer.filter((event) => {
      const offset = event.metadata.offset;
      if (offset === undefined) return true;
      if (hold.sent.has(offset)) return false;
      return after === undefined || compareOffsets(offset, after) > 0;
    });
  }

  /** Drops every hold of a connection (on disconnect). */
  dropSocket(socketId: string): void {
    for (const key of this.holds.keys()) if (key.startsWith(`${socketId}\u0000`)) this.holds.delete(key);
  }
}

function holdKey(socketId: string, room: string): string {
  return `${socketId}\u0000${room}`;
}
