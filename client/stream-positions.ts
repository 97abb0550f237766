import { compareOffsets, type RealtimeEvent, type StreamPosition } from '../shared/index.js';

/** How many recent offsets per stream are remembered to recognise a duplicate. */
const RECENT_OFFSETS = 1024;

/**
 * The latest position this connection has seen in each topic stream, per realm: what a
 * resubscription after a reconnect resumes from; and the recent offsets of each stream, to drop
 * an event delivered twice.
 *
 * Why duplicates can happen: an event is stored in the history before it is broadcast, so a
 * replay on one node can send an event whose live copy is still on its way from the node that
 * published it. Offsets identify events, so the second copy is recognised here. Events of one
 * stream may also arrive slightly out of order when several nodes publish at once, which is why
 * this remembers a set of offsets instead of dropping everything below the highest one.
 *
 * @example
 * if (positions.noteEvent(event)) dispatch(event); // false for a duplicate
 */
export class StreamPositions {
  private readonly positions = new Map<string, StreamPosition>();
  private readonly recent = new Map<string, { epoch: string; offsets: Set<string> }>();

  /** Records the position an event carries; false when this event was already seen. */
  noteEvent(event: RealtimeEvent): boolean {
    const { epoch, offset, realm } = event.metadata;
    if (epoch === undefined || offset === undefined) return true;
    return this.noteOffset(realm, event.topic, epoch, offset);
  }

  /** Records a position seen in a stream; false when it was already seen (a duplicate). */
  noteOffset(realm: string, stream: string, epoch: string, offset: string): boolean {
    const key = streamKey(realm, stream);
    let seen = this.recent.get(key);
    if (seen === undefined || seen.epoch !== epoch) this.recent.set(key, (seen = { epoch, offsets: new Set() }));
    if (seen.offsets.has(offset)) return false;
    seen.offsets.add(offset);
    if (seen.offsets.size > RECENT_OFFSETS) seen.offsets.delete(seen.offsets.values().next().value as string);
    this.note(realm, stream, { epoch, offset });
    return true;
  }

  /** Records a position, keeping the later one within an epoch; a new epoch replaces the old. */
  note(realm: string, topic: string, position: StreamPosition): void {
    const key = streamKey(realm, topic);
    const known = this.positions.get(key);
    if (known === undefined || known.epoch !== position.epoch || compareOffsets(position.offset, known.offset) > 0) {
      this.positions.set(key, position);
    }
  }

  get(realm: string, topic: string): StreamPosition | undefined {
    return this.positions.get(streamKey(realm, topic));
  }

  /** Forgets streams no subscription uses any more. */
  retain(streams: Iterable<{ realm: string; topic: string }>): void {
    const keep = new Set([...streams].map(({ realm, topic }) => streamKey(realm, topic)));
    for (const key of this.positions.keys()) if (!keep.has(key)) this.positions.delete(key);
    for (const key of this.recent.keys()) if (!keep.has(key)) this.recent.delete(key);
  }
}

function streamKey(realm: string, topic: string): string {
  return `${realm}\u0000${topic}`;
}
