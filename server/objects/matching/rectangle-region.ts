import type { BoundsShape, RectangleShape } from '../../../shared/index.js';
import { wrappedBoxes, type GeoBox, type Region } from './region.js';

/**
 * A longitude/latitude rectangle from `west` to `east` (eastwards) and between two latitudes.
 * `west > east` means it crosses the antimeridian (`x1: 170, x2: -170` is 20° wide); latitudes may
 * come in either order. Edges are inside, and ±180 are one meridian.
 *
 * @example
 * const region = RectangleRegion.from({ x1: 170, y1: 10, x2: -170, y2: -10 });
 * region.contains(180, 0); // true
 */
export class RectangleRegion implements Region {
  readonly boxes: readonly GeoBox[];
  private readonly south: number;
  private readonly north: number;

  constructor(
    private readonly west: number,
    private readonly east: number,
    latitudeA: number,
    latitudeB: number,
  ) {
    this.south = Math.min(latitudeA, latitudeB);
    this.north = Math.max(latitudeA, latitudeB);
    this.boxes = wrappedBoxes(west, west <= east ? east : east + 360, this.south, this.north);
  }

  /**
   * The region of `{ x1, y1, x2, y2 }` (x1 west, x2 east) or `{ west, north, east, south }`.
   *
   * @example
   * RectangleRegion.from({ west: -0.2, north: 51.6, east: 0.1, south: 51.4 });
   */
  static from(shape: RectangleShape | BoundsShape): RectangleRegion {
    return 'x1' in shape ? new RectangleRegion(shape.x1, shape.x2, shape.y1, shape.y2) : new RectangleRegion(shape.west, shape.east, shape.north, shape.south);
  }

  contains(longitude: number, latitude: number): boolean {
    if (latitude < this.south || latitude > this.north) return false;
    return this.spans(longitude) || (Math.abs(longitude) === 180 && this.spans(-longitude));
  }

  private spans(longitude: number): boolean {
    return this.west <= this.east ? longitude >= this.west && longitude <= this.east : longitude >= this.west || longitude <= this.east;
  }
}
