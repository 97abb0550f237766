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
 * @example
 * const index = new ObjectPositionIndex();
 * index.set('scooter/1', 3.3759, 6.51309);
 * index.within(compileShape({ cx: 3.37, cy: 6.51, r: 2000 })); // ['scooter/1']
 */
export class ObjectPositionIndex {
  private readonly tree = new RBush<PointEntry>();
  private readonly entries = new Map<string, PointEntry[]>();

  /** Places (or moves) an object. */
  set(objectId: string, longitude: number, latitude: number): void {
    this.delete(objectId);
    const longitudes = Math.abs(longitude) === 180 ? [180, -180] : [longitude];
    const entries = longitudes.map((x) => ({ minX: x, minY: latitude, maxX: x, maxY: latitude, objectId }));
    for (const entry of entries) this.tree.insert(entry);
    this.entries.set(objectId, entries);
  }

  /** Forgets an object's position (no-op when unknown). */
  delete(objectId: string): void {
    const entries = this.entries.get(objectId);
    if (entries === undefined) return;
    for (const entry of entries) this.tree.remove(entry);
    this.entries.delete(objectId);
  }

  /** The ids of the objects inside the region (edges included), each once. */
  within(region: Region): string[] {
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
    return this.entries.size;
  }
}
