import RBush from 'rbush';
import type { Region } from './region.js';

/** One object's point, as the tree holds it. */
interface PointEntry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  objectId: string;
}

/**
 * Object positions in an R-tree (rbush): which objects lie in a region costs a search of the
 * region's boxes plus one exact test per object in them. An object on the antimeridian (±180) is
 * held at both 180 and -180, so a box on either side finds it.
 *
 * Why moves are applied lazily: location updates are the firehose, region queries (a subscription
 * added or panned, a target or an area moving) are rarer. `set` only notes the new position; the
 * tree catches up before the next `within`, so many moves of one object between two queries cost
 * one re-insert, and a location update costs no tree work at all.
 *
 * @example
 * const index = new ObjectPositionIndex();
 * index.set('scooter/1', 3.3759, 6.51309);
 * index.within(compileShape({ cx: 3.37, cy: 6.51, r: 2000 })); // ['scooter/1']
 */
export class ObjectPositionIndex {
  private readonly tree = new RBush<PointEntry>();
  private readonly entries = new Map<string, PointEntry[]>();
  /** Moves not yet in the tree: id → the new position, or `null` for a deleted one. */
  private readonly pending = new Map<string, { longitude: number; latitude: number } | null>();

  /** Places (or moves) an object. */
  set(objectId: string, longitude: number, latitude: number): void {
    this.pending.set(objectId, { longitude, latitude });
  }

  /** Forgets an object's position (no-op when unknown). */
  delete(objectId: string): void {
    this.pending.set(objectId, null);
  }

  /** The ids of the objects inside the region (edges included), each once. */
  within(region: Region): string[] {
    this.flush();
    const found = new Set<string>();
    for (const box of region.boxes) {
      for (const entry of this.tree.search(box)) {
        if (!found.has(entry.objectId) && region.contains(entry.minX, entry.minY)) found.add(entry.objectId);
      }
    }
    return [...found];
  }

  /** How many objects have a position. */
  get size(): number {
    this.flush();
    return this.entries.size;
  }

  private flush(): void {
    for (const [objectId, position] of this.pending) {
      for (const entry of this.entries.get(objectId) ?? []) this.tree.remove(entry);
      this.entries.delete(objectId);
      if (position === null) continue;
      const { longitude, latitude } = position;
      const longitudes = Math.abs(longitude) === 180 ? [180, -180] : [longitude];
      const entries = longitudes.map((x) => ({ minX: x, minY: latitude, maxX: x, maxY: latitude, objectId }));
      for (const entry of entries) this.tree.insert(entry);
      this.entries.set(objectId, entries);
    }
    this.pending.clear();
  }
}
