import { InvalidArgumentError, MAX_POLYGON_POINTS, MAX_RADIUS_METRES, type Shape } from '../../../shared/index.js';
import { CircleRegion } from './circle-region.js';
import { PolygonRegion } from './polygon-region.js';
import { RectangleRegion } from './rectangle-region.js';
import type { Region } from './region.js';

/**
 * Compiles a shape into a {@link Region}: a circle `{ cx, cy, r }` (metres, great-circle), a
 * rectangle `{ x1, y1, x2, y2 }` or `{ west, north, east, south }` (`x1 > x2` crosses the
 * antimeridian), or a polygon `{ points }`. The request schemas validate shapes already; this checks
 * again (finite, in range, 3 to {@link MAX_POLYGON_POINTS} points) so a caller from code gets an
 * `InvalidArgumentError` instead of a region that silently matches nothing.
 *
 * @example
 * const region = compileShape({ x1: -0.2, y1: 51.6, x2: 0.1, y2: 51.4 });
 * region.contains(-0.1276, 51.5072); // true
 */
export function compileShape(shape: Shape): Region {
  if ('r' in shape) {
    longitude(shape.cx, 'shape.cx');
    latitude(shape.cy, 'shape.cy');
    if (!Number.isFinite(shape.r) || shape.r <= 0 || shape.r > MAX_RADIUS_METRES) {
      throw new InvalidArgumentError(`shape.r must be a positive number of metres, at most ${MAX_RADIUS_METRES}`);
    }
    return new CircleRegion(shape);
  }
  if ('points' in shape) {
    const { points } = shape;
    if (!Array.isArray(points) || points.length < 3 || points.length > MAX_POLYGON_POINTS) {
      throw new InvalidArgumentError(`a polygon needs 3 to ${MAX_POLYGON_POINTS} points`);
    }
    for (const point of points) {
      longitude(point.x, 'shape.points.x');
      latitude(point.y, 'shape.points.y');
    }
    return new PolygonRegion(shape);
  }
  if ('x1' in shape) {
    longitude(shape.x1, 'shape.x1');
    latitude(shape.y1, 'shape.y1');
    longitude(shape.x2, 'shape.x2');
    latitude(shape.y2, 'shape.y2');
  } else if ('west' in shape) {
    longitude(shape.west, 'shape.west');
    latitude(shape.north, 'shape.north');
    longitude(shape.east, 'shape.east');
    latitude(shape.south, 'shape.south');
  } else {
    throw new InvalidArgumentError('unknown shape data: expected { cx, cy, r }, { x1, y1, x2, y2 }, { west, north, east, south } or { points }');
  }
  return RectangleRegion.from(shape);
}

function longitude(value: number, field: string): void {
  if (!Number.isFinite(value) || value < -180 || value > 180) throw new InvalidArgumentError(`${field} must be between -180 and 180`);
}

function latitude(value: number, field: string): void {
  if (!Number.isFinite(value) || value < -90 || value > 90) throw new InvalidArgumentError(`${field} must be between -90 and 90`);
}
