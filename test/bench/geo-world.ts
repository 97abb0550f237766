/**
 * The city the geo benchmarks run in (case 9 in-process, case 10 against a server): 10,000
 * objects and circle subscriptions of 200 m to 5 km, in a square of ±0.15° (about 33 km) around
 * central Lagos, drawn from seeded generators so every run sees the same world.
 */

/** Objects in the city. */
export const GEO_OBJECTS = 10_000;
/** The centre of the city square. */
export const GEO_CENTRE = { longitude: 3.3792, latitude: 6.5244 };
/** Half the side of the city square, degrees. */
export const GEO_HALF_SIDE = 0.15;
/** Circle subscriptions' radii, metres. */
export const GEO_MIN_RADIUS = 200;
export const GEO_MAX_RADIUS = 5000;

/** A position in degrees. */
export interface GeoPoint {
  longitude: number;
  latitude: number;
}

/**
 * A uniformly random point of the city square (two draws: longitude, then latitude).
 *
 * @example
 * const point = randomCityPoint(seededRandom(13));
 */
export function randomCityPoint(random: () => number): GeoPoint {
  return {
    longitude: GEO_CENTRE.longitude + (random() * 2 - 1) * GEO_HALF_SIDE,
    latitude: GEO_CENTRE.latitude + (random() * 2 - 1) * GEO_HALF_SIDE,
  };
}

/**
 * A circle subscription's shape: a random centre in the city and a radius of 200 m to 5 km.
 *
 * @example
 * randomCircle(seededRandom(1)); // { cx: 3.41.., cy: 6.48.., r: 3120.. }
 */
export function randomCircle(random: () => number): { cx: number; cy: number; r: number } {
  const centre = randomCityPoint(random);
  return { cx: centre.longitude, cy: centre.latitude, r: GEO_MIN_RADIUS + random() * (GEO_MAX_RADIUS - GEO_MIN_RADIUS) };
}

/**
 * Moves a point by up to `step` degrees in each direction, kept inside the city square.
 *
 * @example
 * stepWithinCity(point, 0.00015, random); // ~15 m away at most per axis
 */
export function stepWithinCity(point: GeoPoint, step: number, random: () => number): GeoPoint {
  const clamp = (value: number, centre: number): number => Math.min(centre + GEO_HALF_SIDE, Math.max(centre - GEO_HALF_SIDE, value));
  return {
    longitude: clamp(point.longitude + (random() * 2 - 1) * step, GEO_CENTRE.longitude),
    latitude: clamp(point.latitude + (random() * 2 - 1) * step, GEO_CENTRE.latitude),
  };
}
