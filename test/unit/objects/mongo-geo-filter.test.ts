import { describe, expect, it } from 'vitest';
import { geoWithinFilter } from '../../../server/objects/mongo-geo-filter.js';

type Ring = number[][];

function ringOf(filter: Record<string, unknown> | undefined): Ring {
  return (filter as { $geoWithin: { $geometry: { coordinates: Ring[] } } }).$geoWithin.$geometry.coordinates[0] as Ring;
}

describe('geoWithinFilter (the 2dsphere prefilter of MongoObjectStore)', () => {
  it('is a closed ring widened past the box, with a vertex at least every degree along its edges', () => {
    const ring = ringOf(geoWithinFilter({ west: -2, south: 50, east: 1.5, north: 52 }));
    expect(ring[0]).toEqual(ring.at(-1));
    const latitudes = ring.map(([, latitude]) => latitude as number);
    expect(Math.min(...latitudes)).toBeLessThan(50);
    expect(Math.max(...latitudes)).toBeGreaterThan(52);
    const south = ring
      .slice(0, -1)
      .filter(([, latitude]) => (latitude as number) < 50)
      .map(([longitude]) => longitude as number);
    expect(south).toEqual([-2, -1, 0, 1, 1.5]);
  });

  it('wraps a box across the antimeridian into longitudes within ±180', () => {
    const ring = ringOf(geoWithinFilter({ west: 179, south: 0, east: -179, north: 1 }));
    expect(ring.map(([longitude]) => longitude)).toEqual([179, 180, -179, -179, 180, 179, 179]);
  });

  it('gives up (read everything) on boxes no simple polygon can hold: 180° wide or more, or touching a pole', () => {
    expect(geoWithinFilter({ west: -100, south: 0, east: 100, north: 10 })).toBeUndefined();
    expect(geoWithinFilter({ west: 0, south: 80, east: 10, north: 90 })).toBeUndefined();
    expect(geoWithinFilter({ west: 0, south: -90, east: 10, north: -80 })).toBeUndefined();
  });
});
