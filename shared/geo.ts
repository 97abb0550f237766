/*
 * Locations and shapes, as Hivekit writes them: longitude and latitude in degrees (WGS 84), radii
 * and distances in metres. Both sides use these types; the matching itself runs on the server.
 */

/**
 * Where an object is. The server fills every field it is not given: numbers with `0`,
 * `coordinateSystem` with `''`, and `time` with the moment the location was written (ISO 8601).
 *
 * @example
 * const location: ObjectLocation = { latitude: 51.5072, longitude: -0.1276, altitude: 0, accuracy: 5,
 *   speed: 3.2, heading: 90, altitudeAccuracy: 0, time: '2026-12-02T06:00:00.000Z', coordinateSystem: '' };
 */
export interface ObjectLocation {
  /** Degrees, -90 to 90. */
  latitude: number;
  /** Degrees, -180 to 180. */
  longitude: number;
  /** Metres. */
  altitude: number;
  /** Metres. */
  accuracy: number;
  /** Metres per second. */
  speed: number;
  /** Degrees clockwise from north. */
  heading: number;
  /** Metres. */
  altitudeAccuracy: number;
  /** When the location was measured, ISO 8601. */
  time: string;
  /** A free label of the coordinate system (Hivekit's `gcs`); `''` means WGS 84. */
  coordinateSystem: string;
}

/**
 * A location as a caller writes it: `latitude` and `longitude`, the rest optional. `time` may be an
 * ISO 8601 string or Unix milliseconds.
 *
 * @example
 * const input: LocationInput = { latitude: 6.51309, longitude: 3.3759 };
 */
export interface LocationInput {
  latitude: number;
  longitude: number;
  altitude?: number;
  accuracy?: number;
  speed?: number;
  heading?: number;
  altitudeAccuracy?: number;
  time?: string | number;
  coordinateSystem?: string;
}

/**
 * A circle: centre longitude `cx` and latitude `cy` in degrees, radius `r` in metres.
 *
 * @example
 * const circle: CircleShape = { cx: -0.1276, cy: 51.5072, r: 500 };
 */
export interface CircleShape {
  cx: number;
  cy: number;
  r: number;
}

/**
 * A rectangle in Hivekit's corner form: `x1` west longitude, `y1` north latitude, `x2` east
 * longitude, `y2` south latitude. A rectangle whose west edge is east of its east edge
 * (`x1 > x2`) crosses the antimeridian.
 *
 * @example
 * const rectangle: RectangleShape = { x1: -0.2, y1: 51.6, x2: 0.1, y2: 51.4 };
 */
export interface RectangleShape {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * A rectangle by its edges (Hivekit's alias form).
 *
 * @example
 * const bounds: BoundsShape = { west: -0.2, north: 51.6, east: 0.1, south: 51.4 };
 */
export interface BoundsShape {
  west: number;
  north: number;
  east: number;
  south: number;
}

/**
 * A polygon: at least three points `{ x: longitude, y: latitude }` in order; the last joins the
 * first; no holes.
 *
 * @example
 * const triangle: PolygonShape = { points: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }] };
 */
export interface PolygonShape {
  points: Array<{ x: number; y: number }>;
}

/**
 * Any shape a caller may give: the kind follows from the keys.
 *
 * @example
 * const shape: Shape = { cx: 3.37, cy: 6.51, r: 1000 };
 */
export type Shape = CircleShape | RectangleShape | BoundsShape | PolygonShape;

/**
 * The kind of a shape, as areas report it.
 *
 * @example
 * const kind: ShapeKind = shapeKind({ cx: 0, cy: 0, r: 10 }); // 'circle'
 */
export type ShapeKind = 'circle' | 'rectangle' | 'polygon';

/** Most points a polygon may have. */
export const MAX_POLYGON_POINTS = 1000;

/** Largest radius, in metres: half the Earth's circumference, which covers the whole globe. */
export const MAX_RADIUS_METRES = 20_037_509;

/**
 * The kind of a (valid) shape.
 *
 * @example
 * shapeKind({ west: 0, north: 1, east: 1, south: 0 }); // 'rectangle'
 */
export function shapeKind(shape: Shape): ShapeKind {
  if ('r' in shape) return 'circle';
  if ('points' in shape) return 'polygon';
  return 'rectangle';
}
