import RBush from 'rbush';
import type { GeoBox } from './region.js';

/** One box of one subscription, as the tree holds it. */
interface BoxEntry extends GeoBox {
  subscriptionId: string;
}

/**
 * What may contain a point: the subscriptions with a box around it, and those with no bounds at all
 * (a `where`-only subscription sees every object). Candidates still need their exact test.
 *
 * @example
 * const { boxed, unbounded } = index.candidatesAt(3.37, 6.51);
 */
export interface Candidates {
  boxed: ReadonlySet<string>;
  unbounded: ReadonlySet<string>;
}

/**
 * Subscriptions by the boxes of their regions, in an R-tree (rbush), so the subscriptions a location
 * update may enter cost a tree search (logarithmic plus the hits), not a pass over all of them. A
 * subscription is boxed (`setBoxes`), unbounded (`setUnbounded`) or absent; setting one replaces
 * the other.
 *
 * @example
 * const index = new SubscriptionBoxIndex();
 * index.setBoxes('sub-1', compileShape({ cx: 3.37, cy: 6.51, r: 500 }).boxes);
 * index.candidatesAt(3.37, 6.51).boxed.has('sub-1'); // true
 */
export class SubscriptionBoxIndex {
  private readonly tree = new RBush<BoxEntry>();
  private readonly entries = new Map<string, BoxEntry[]>();
  private readonly unboundedIds = new Set<string>();

  /** Puts a subscription under these boxes (none: it is indexed nowhere and matches no point). */
  setBoxes(subscriptionId: string, boxes: readonly GeoBox[]): void {
    this.delete(subscriptionId);
    if (boxes.length === 0) return;
    const entries = boxes.map((box) => ({ minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY, subscriptionId }));
    for (const entry of entries) this.tree.insert(entry);
    this.entries.set(subscriptionId, entries);
  }

  /** Marks a subscription as covering every point. */
  setUnbounded(subscriptionId: string): void {
    this.delete(subscriptionId);
    this.unboundedIds.add(subscriptionId);
  }

  /** Forgets a subscription (no-op when unknown). */
  delete(subscriptionId: string): void {
    this.unboundedIds.delete(subscriptionId);
    const entries = this.entries.get(subscriptionId);
    if (entries === undefined) return;
    for (const entry of entries) this.tree.remove(entry);
    this.entries.delete(subscriptionId);
  }

  /** The subscriptions whose boxes contain the point, and the unbounded ones. ±180 are one meridian. */
  candidatesAt(longitude: number, latitude: number): Candidates {
    const boxed = new Set<string>();
    const search = (x: number): void => {
      for (const entry of this.tree.search({ minX: x, minY: latitude, maxX: x, maxY: latitude })) boxed.add(entry.subscriptionId);
    };
    search(longitude);
    if (Math.abs(longitude) === 180) search(-longitude);
    return { boxed, unbounded: this.unboundedIds };
  }

  /** The subscriptions that cover every point. */
  get unbounded(): ReadonlySet<string> {
    return this.unboundedIds;
  }
}
