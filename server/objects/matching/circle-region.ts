import type { CircleShape } from '../../../shared/index.js';
import { distanceMetres, EARTH_RADIUS_METRES } from './distance.js';
import { wrappedBoxes, type GeoBox, type Region } from './region.js';

const DEGREES = 180 / Math.PI;
/** Boxes are widened by this much (degrees, ~1 mm) so rounding never drops a point on the edge. */
const BOX_SLACK = 1e-8;

/**
 * A circle on the sphere: every point whose great-circle distance from the centre is at most `r`
 * metres. Its box follows the circle's true extent: a circle whose radius passes a pole covers
 * every longitude down to its far latitude; one across the antimeridian has two boxes.
 *
 * @example
 * const region = new CircleRegion({ cx: 179.9, cy: 0, r: 50_000 });
 * region.contains(-179.9, 0); // true: 22 km away across ±180
 */
export class CircleRegion implements Region {
  readonly boxes: readonly GeoBox[];
  private readonly centre: { longitude: number; latitude: number };

  constructor(private readonly circle: CircleShape) {
    this.centre = { longitude: circle.cx, latitude: circle.cy };
    this.boxes = circleBoxes(circle);
  }

  contains(longitude: number, latitude: number): boolean {
    return distanceMetres(this.centre, { longitude, latitude }) <= this.circle.r;
  }
}

/** The bounding boxes of a spherical circle (J. P. Matuschek, "Finding points within a distance"). */
function circleBoxes({ cx, cy, r }: CircleShape): GeoBox[] {
  const angle = r / EARTH_RADIUS_METRES;
  const south = cy - angle * DEGREES - BOX_SLACK;
  const north = cy + angle * DEGREES + BOX_SLACK;
  if (angle >= Math.PI || north >= 90 || south <= -90) {
    // The circle reaches a pole: every longitude is covered near it.
    return [{ minX: -180, minY: Math.max(-90, south), maxX: 180, maxY: Math.min(90, north) }];
  }
  const halfWidth = Math.asin(Math.min(1, Math.sin(angle) / Math.cos((cy * Math.PI) / 180))) * DEGREES + BOX_SLACK;
  return wrappedBoxes(cx - halfWidth, cx + halfWidth, south, north);
}
