/**
 * Mean Earth radius in metres (IUGG R1), the sphere every distance and circle is measured on.
 *
 * @example
 * const quarterMeridian = (Math.PI / 2) * EARTH_RADIUS_METRES; // ≈ 10,007,557 m
 */
export const EARTH_RADIUS_METRES = 6_371_008.8;

/**
 * A point in degrees: `longitude` -180 to 180, `latitude` -90 to 90.
 *
 * @example
 * const london: LonLat = { longitude: -0.1276, latitude: 51.5072 };
 */
export interface LonLat {
  longitude: number;
  latitude: number;
}

const RADIANS = Math.PI / 180;

/**
 * Great-circle distance in metres between two points, by the haversine formula on a sphere of
 * radius {@link EARTH_RADIUS_METRES}. Longitudes wrap: -179.9° and 179.9° are 0.2° apart.
 *
 * @example
 * distanceMetres({ longitude: 0, latitude: 0 }, { longitude: 1, latitude: 0 }); // ≈ 111,195 m
 */
export function distanceMetres(a: LonLat, b: LonLat): number {
  const sinLat = Math.sin(((b.latitude - a.latitude) * RADIANS) / 2);
  const sinLon = Math.sin(((b.longitude - a.longitude) * RADIANS) / 2);
  const h = sinLat * sinLat + Math.cos(a.latitude * RADIANS) * Math.cos(b.latitude * RADIANS) * sinLon * sinLon;
  return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.sqrt(h)));
}
