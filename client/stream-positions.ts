import { compareOffsets, type RealtimeEvent, type StreamPosition } from '../shared/index.js';

/**
 * The latest position this connection has seen in each topic stream, per realm: what a
 * resubscription after a reconnect resumes from.
 *
 * @example
 * positions.noteEvent(event);
 * positions.get('demo', 'order.updated'); // { epoch, offset } or undefined
 */
export class StreamPositions {
  private readonly positions = new Map<string, StreamPosition>();

  /** Records the position an event carries. */
  noteEvent(event: RealtimeEvent): void {
    const { epoch, offset, realm } = event.metadata;
    if (epoch !== undefined && offset !== undefined) this.note(realm, event.topic, { epoch, offset });
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
  }
}

function streamKey(realm: string, topic: string): string {
  return `${realm}\u0000${topic}`;
}
