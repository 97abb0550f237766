import type { LocationBox } from './object-store.js';

/** How far a box is widened north and south, degrees: more than a 1°-long geodesic edge strays from its parallel. */
const LATITUDE_PAD = 0.01;

/** Longitude between two vertices along a box's north and south edges, degrees. */
const EDGE_STEP = 1;

/**
 * A MongoDB `$geoWithin` filter (on a `2dsphere`-indexed GeoJSON point) that holds every point of a
 * west-south-east-north box, or `undefined` when no simple polygon can (wider than 180° of
 * longitude, or reaching a pole): the caller then reads without it.
 *
 * Why the padding and the vertices: a 2dsphere polygon's edges are geodesics, and a geodesic
 * between two points on one parallel strays poleward from it, so a four-corner polygon would miss
 * points near the middle of the box's equator-side edge. Edges 1° long stray at most ~0.001°; the
 * box is widened by 0.01°. The geometry core filters exactly afterwards: this only has to be a
 * superset.
 *
 * @example
 * geoWithinFilter({ west: -0.2, south: 51.4, east: 0.1, north: 51.6 }); // { $geoWithin: { $geometry: { type: 'Polygon', ... } } }
 */
export function geoWithinFilter(box: LocationBox): Record<string, unknown> | undefined {
  const south = box.south - LATITUDE_PAD;
  const north = box.north + LATITUDE_PAD;
  const east = box.east < box.west ? box.east + 360 : box.east;
  if (south <= -90 || north >= 90 || east - box.west >= 180) return undefined;
  const edge: number[] = [];
  for (let longitude = box.west; longitude < east; longitude += EDGE_STEP) edge.push(longitude);
  edge.push(east);
  const wrap = (longitude: number): number => (longitude > 180 ? longitude - 360 : longitude);
  const ring = [...edge.map((longitude) => [wrap(longitude), south]), ...[...edge].reverse().map((longitude) => [wrap(longitude), north])];
  ring.push(ring[0] as number[]);
  return { $geoWithin: { $geometry: { type: 'Polygon', coordinates: [ring] } } };
}
