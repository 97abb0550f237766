import * as v from 'valibot';
import { MAX_POLYGON_POINTS, MAX_RADIUS_METRES } from '../geo.js';
import { request, text } from './schema-kit.js';

/** A finite number within bounds: "`<field>` is required", "must be a number", "must be between". */
function bounded(field: string, min: number, max: number) {
  return v.pipe(
    v.number((issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a number`)),
    v.finite(`${field} must be a finite number`),
    v.minValue(min, `${field} must be between ${min} and ${max}`),
    v.maxValue(max, `${field} must be between ${min} and ${max}`),
  );
}

const longitude = (field: string) => bounded(field, -180, 180);
const latitude = (field: string) => bounded(field, -90, 90);
const measure = (field: string) => v.optional(bounded(field, -1e9, 1e9));

/** A location as written: `latitude` and `longitude` in degrees, the other fields optional. */
export const locationSchema = request('location', {
  latitude: latitude('location.latitude'),
  longitude: longitude('location.longitude'),
  altitude: measure('location.altitude'),
  accuracy: measure('location.accuracy'),
  speed: measure('location.speed'),
  heading: measure('location.heading'),
  altitudeAccuracy: measure('location.altitudeAccuracy'),
  time: v.optional(
    v.union(
      [v.pipe(v.string(), v.isoTimestamp()), v.pipe(v.number(), v.integer(), v.minValue(0))],
      'location.time must be an ISO 8601 timestamp or Unix milliseconds',
    ),
  ),
  coordinateSystem: v.optional(v.pipe(text('location.coordinateSystem'), v.maxLength(32, 'location.coordinateSystem must be at most 32 characters'))),
});

const circleSchema = v.strictObject({
  cx: longitude('shape.cx'),
  cy: latitude('shape.cy'),
  r: v.pipe(bounded('shape.r', 0, MAX_RADIUS_METRES), v.gtValue(0, 'shape.r must be positive')),
});
const rectangleSchema = v.strictObject({
  x1: longitude('shape.x1'),
  y1: latitude('shape.y1'),
  x2: longitude('shape.x2'),
  y2: latitude('shape.y2'),
});
const boundsSchema = v.strictObject({
  west: longitude('shape.west'),
  north: latitude('shape.north'),
  east: longitude('shape.east'),
  south: latitude('shape.south'),
});
const polygonSchema = v.strictObject({
  points: v.pipe(
    v.array(v.strictObject({ x: longitude('shape.points.x'), y: latitude('shape.points.y') }), 'shape.points must be an array of { x, y }'),
    v.minLength(3, 'a polygon needs at least 3 points'),
    v.maxLength(MAX_POLYGON_POINTS, `a polygon has at most ${MAX_POLYGON_POINTS} points`),
  ),
});

/**
 * A shape: a circle `{ cx, cy, r }`, a rectangle `{ x1, y1, x2, y2 }` or `{ west, north, east,
 * south }`, or a polygon `{ points: [{ x, y }, ...] }`. Anything else is "unknown shape data", as
 * Hivekit says it.
 */
export const shapeSchema = v.union([circleSchema, rectangleSchema, boundsSchema, polygonSchema], (issue) =>
  issue.input === undefined
    ? 'shape is required'
    : 'unknown shape data: expected { cx, cy, r }, { x1, y1, x2, y2 }, { west, north, east, south } or { points: [{ x, y }, ...] }',
);
