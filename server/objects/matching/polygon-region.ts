import type { PolygonShape } from '../../../shared/index.js';
import { wrappedBoxes, type GeoBox, type Region } from './region.js';

/** How far (degrees, ~0.1 mm) a point may be off an edge and still be on it. */
const EDGE_TOLERANCE = 1e-9;

/**
 * A polygon (no holes) tested in plain longitude/latitude: ray casting, with points on an edge or
 * a vertex inside. A polygon whose consecutive points jump more than 180° in longitude crosses the
 * antimeridian: its longitudes are unwrapped into one continuous run (possibly past ±180) and a
 * point is tested at its longitude and at ±360° of it. Edges are straight lines in degrees, not
 * great circles; a polygon around a pole (its unwrapped run does not close) is not supported.
 *
 * @example
 * const region = new PolygonRegion({ points: [{ x: 170, y: 10 }, { x: -170, y: 10 }, { x: -170, y: -10 }, { x: 170, y: -10 }] });
 * region.contains(179, 0); // true
 */
export class PolygonRegion implements Region {
  readonly boxes: readonly GeoBox[];
  /** Unwrapped longitudes and latitudes of the vertices. */
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly minX: number;
  private readonly maxX: number;
  private readonly minY: number;
  private readonly maxY: number;

  constructor(polygon: PolygonShape) {
    const count = polygon.points.length;
    this.xs = new Float64Array(count);
    this.ys = new Float64Array(count);
    let x = 0;
    for (let i = 0; i < count; i++) {
      const point = polygon.points[i]!;
      if (i === 0) {
        x = point.x;
      } else {
        let step = point.x - polygon.points[i - 1]!.x;
        if (step > 180) step -= 360;
        else if (step < -180) step += 360;
        x += step;
      }
      this.xs[i] = x;
      this.ys[i] = point.y;
    }
    this.minX = Math.min(...this.xs);
    this.maxX = Math.max(...this.xs);
    this.minY = Math.min(...this.ys);
    this.maxY = Math.max(...this.ys);
    this.boxes = wrappedBoxes(this.minX, this.maxX, this.minY, this.maxY);
  }

  contains(longitude: number, latitude: number): boolean {
    if (latitude < this.minY || latitude > this.maxY) return false;
    if (this.inside(longitude, latitude)) return true;
    if (this.maxX > 180 && this.inside(longitude + 360, latitude)) return true;
    if (this.minX < -180 && this.inside(longitude - 360, latitude)) return true;
    // ±180 are one meridian: a vertex at 180 also holds a point given at -180.
    return Math.abs(longitude) === 180 && this.inside(-longitude, latitude);
  }

  private inside(px: number, py: number): boolean {
    if (px < this.minX || px > this.maxX) return false;
    const { xs, ys } = this;
    let inside = false;
    for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
      const xi = xs[i]!;
      const yi = ys[i]!;
      const xj = xs[j]!;
      const yj = ys[j]!;
      if (onSegment(px, py, xj, yj, xi, yi)) return true;
      if (yi > py !== yj > py && px < xj + ((py - yj) * (xi - xj)) / (yi - yj)) inside = !inside;
    }
    return inside;
  }
}

/** Whether (px, py) lies on the segment (ax, ay)-(bx, by), within {@link EDGE_TOLERANCE}. */
function onSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): boolean {
  if (px < Math.min(ax, bx) - EDGE_TOLERANCE || px > Math.max(ax, bx) + EDGE_TOLERANCE) return false;
  if (py < Math.min(ay, by) - EDGE_TOLERANCE || py > Math.max(ay, by) + EDGE_TOLERANCE) return false;
  const dx = bx - ax;
  const dy = by - ay;
  const cross = dx * (py - ay) - dy * (px - ax);
  return Math.abs(cross) <= EDGE_TOLERANCE * Math.hypot(dx, dy);
}
