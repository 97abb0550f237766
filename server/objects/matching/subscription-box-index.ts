import RBush from 'rbush';
import type { GeoBox } from './region.js';

/** One box of one subscription. */
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

/** Grid cell side in degrees (about 1.1 km of latitude). */
const CELL_DEGREES = 0.01;
/** A box over more cells than this goes to the R-tree instead of the grid. */
const MAX_GRID_CELLS = 1024;
const CELLS_PER_ROW = Math.ceil(180 / CELL_DEGREES) + 2;

/**
 * Subscriptions by the boxes of their regions, so the subscriptions a location update may enter
 * cost one lookup, not a pass over all of them. A subscription is boxed (`setBoxes`), unbounded
 * (`setUnbounded`) or absent; setting one replaces the other.
 *
 * Why two structures: city-scale boxes (up to about 1,000 cells of 0.01°, some 35 km across at the
 * equator) are listed in every grid cell they overlap, so a point query reads one cell and tests
 * the few boxes in it; an R-tree alone (rbush) spends most of a query walking its nodes when many
 * boxes overlap, as circles of a few kilometres in one city do. Larger boxes (a country, the globe)
 * go to an rbush R-tree, where they are few.
 *
 * @example
 * const index = new SubscriptionBoxIndex();
 * index.setBoxes('sub-1', compileShape({ cx: 3.37, cy: 6.51, r: 500 }).boxes);
 * index.candidatesAt(3.37, 6.51).boxed.has('sub-1'); // true
 */
export class SubscriptionBoxIndex {
  private readonly tree = new RBush<BoxEntry>();
  /** Cell key → the boxes listed in it. */
  private readonly cells = new Map<number, BoxEntry[]>();
  /** Subscription id → its boxes and the cells each is listed in (`null`: in the tree). */
  private readonly placed = new Map<string, Array<{ entry: BoxEntry; cells: number[] | null }>>();
  private readonly unboundedIds = new Set<string>();
  /** How many boxes the tree holds (most cities: none, and the search is skipped). */
  private treeBoxes = 0;

  /** Puts a subscription under these boxes (none: it is indexed nowhere and matches no point). */
  setBoxes(subscriptionId: string, boxes: readonly GeoBox[]): void {
    this.delete(subscriptionId);
    if (boxes.length === 0) return;
    const placed = boxes.map((box) => {
      const entry: BoxEntry = { minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY, subscriptionId };
      const cells = cellsOf(entry);
      if (cells === null) {
        this.tree.insert(entry);
        this.treeBoxes += 1;
      } else {
        for (const key of cells) {
          const list = this.cells.get(key);
          if (list === undefined) this.cells.set(key, [entry]);
          else list.push(entry);
        }
      }
      return { entry, cells };
    });
    this.placed.set(subscriptionId, placed);
  }

  /** Marks a subscription as covering every point. */
  setUnbounded(subscriptionId: string): void {
    this.delete(subscriptionId);
    this.unboundedIds.add(subscriptionId);
  }

  /** Forgets a subscription (no-op when unknown). */
  delete(subscriptionId: string): void {
    this.unboundedIds.delete(subscriptionId);
    const placed = this.placed.get(subscriptionId);
    if (placed === undefined) return;
    for (const { entry, cells } of placed) {
      if (cells === null) {
        this.tree.remove(entry);
        this.treeBoxes -= 1;
        continue;
      }
      for (const key of cells) {
        const list = this.cells.get(key)!;
        const rest = list.filter((listed) => listed !== entry);
        if (rest.length === 0) this.cells.delete(key);
        else this.cells.set(key, rest);
      }
    }
    this.placed.delete(subscriptionId);
  }

  /** The subscriptions whose boxes contain the point, and the unbounded ones. ±180 are one meridian. */
  candidatesAt(longitude: number, latitude: number): Candidates {
    const boxed = new Set<string>();
    this.addCandidatesAt(longitude, latitude, boxed);
    return { boxed, unbounded: this.unboundedIds };
  }

  /**
   * Adds the ids of the subscriptions whose boxes contain the point to `into` (the hot path of a
   * location update: no set per query).
   *
   * @example
   * const candidates = new Set(alreadyHolding);
   * index.addCandidatesAt(3.37, 6.51, candidates);
   */
  addCandidatesAt(longitude: number, latitude: number, into: Set<string>): void {
    this.collect(longitude, latitude, into);
    if (Math.abs(longitude) === 180) this.collect(-longitude, latitude, into);
  }

  /** The subscriptions that cover every point. */
  get unbounded(): ReadonlySet<string> {
    return this.unboundedIds;
  }

  private collect(x: number, y: number, into: Set<string>): void {
    for (const entry of this.cells.get(cellKey(cellIndex(x), cellIndex(y))) ?? []) {
      if (x >= entry.minX && x <= entry.maxX && y >= entry.minY && y <= entry.maxY) into.add(entry.subscriptionId);
    }
    if (this.treeBoxes === 0) return;
    for (const entry of this.tree.search({ minX: x, minY: y, maxX: x, maxY: y })) into.add(entry.subscriptionId);
  }
}

function cellIndex(degrees: number): number {
  return Math.floor(degrees / CELL_DEGREES);
}

function cellKey(column: number, row: number): number {
  return (column + CELLS_PER_ROW) * (2 * CELLS_PER_ROW) + (row + CELLS_PER_ROW);
}

/** The keys of the cells a box overlaps, or `null` when there are more than {@link MAX_GRID_CELLS}. */
function cellsOf(box: GeoBox): number[] | null {
  const west = cellIndex(box.minX);
  const east = cellIndex(box.maxX);
  const south = cellIndex(box.minY);
  const north = cellIndex(box.maxY);
  if ((east - west + 1) * (north - south + 1) > MAX_GRID_CELLS) return null;
  const keys: number[] = [];
  for (let column = west; column <= east; column++) {
    for (let row = south; row <= north; row++) keys.push(cellKey(column, row));
  }
  return keys;
}
