import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type Shape } from '../../../shared/index.js';
import { compileShape } from '../../../server/objects/matching/compile-shape.js';
import { distanceMetres, EARTH_RADIUS_METRES } from '../../../server/objects/matching/distance.js';
import type { GeoBox, Region } from '../../../server/objects/matching/region.js';

/** Whether some box of the region holds the point (what an index would find). */
function boxed(region: Region, longitude: number, latitude: number): boolean {
  return region.boxes.some((box: GeoBox) => longitude >= box.minX && longitude <= box.maxX && latitude >= box.minY && latitude <= box.maxY);
}

/** Every point `contains` accepts on a grid must also be in a box. */
function expectBoxesCover(region: Region, west: number, east: number, south: number, north: number, step: number): void {
  for (let x = west; x <= east; x += step) {
    for (let y = south; y <= north; y += step) {
      const longitude = Math.max(-180, Math.min(180, x));
      const latitude = Math.max(-90, Math.min(90, y));
      if (region.contains(longitude, latitude)) expect(boxed(region, longitude, latitude), `${longitude},${latitude}`).toBe(true);
    }
  }
}

describe('distanceMetres', () => {
  it('measures great-circle distance on the 6,371,008.8 m sphere', () => {
    expect(EARTH_RADIUS_METRES).toBe(6_371_008.8);
    expect(distanceMetres({ longitude: 0, latitude: 0 }, { longitude: 1, latitude: 0 })).toBeCloseTo((Math.PI / 180) * EARTH_RADIUS_METRES, 6);
    expect(distanceMetres({ longitude: 0, latitude: 0 }, { longitude: 0, latitude: 90 })).toBeCloseTo((Math.PI / 2) * EARTH_RADIUS_METRES, 6);
    expect(distanceMetres({ longitude: 0, latitude: 0 }, { longitude: 180, latitude: 0 })).toBeCloseTo(Math.PI * EARTH_RADIUS_METRES, 6);
  });

  it('wraps across the antimeridian', () => {
    const across = distanceMetres({ longitude: 179.9, latitude: 0 }, { longitude: -179.9, latitude: 0 });
    expect(across).toBeCloseTo(distanceMetres({ longitude: 0, latitude: 0 }, { longitude: 0.2, latitude: 0 }), 6);
  });

  it('is zero for the same point and symmetric', () => {
    const a = { longitude: -0.1276, latitude: 51.5072 };
    const b = { longitude: 3.3759, latitude: 6.51309 };
    expect(distanceMetres(a, a)).toBe(0);
    expect(distanceMetres(a, b)).toBeCloseTo(distanceMetres(b, a), 6);
  });
});

describe('circles', () => {
  it('contain the points within r metres, the edge included', () => {
    const region = compileShape({ cx: 0, cy: 0, r: 1000 });
    const edge = (1000 / EARTH_RADIUS_METRES) * (180 / Math.PI);
    expect(region.contains(0, 0)).toBe(true);
    expect(region.contains(edge * 0.999, 0)).toBe(true);
    expect(region.contains(edge * 1.001, 0)).toBe(false);
    expect(region.contains(0, -edge * 0.999)).toBe(true);
    expect(region.boxes).toHaveLength(1);
    expect(boxed(region, edge, 0)).toBe(true);
  });

  it('around the North Pole cover every longitude at latitude 89.9', () => {
    const region = compileShape({ cx: 0, cy: 90, r: 20_000 });
    for (let longitude = -180; longitude <= 180; longitude += 15) {
      expect(region.contains(longitude, 89.9), `lon ${longitude}`).toBe(true);
      expect(boxed(region, longitude, 89.9)).toBe(true);
      expect(region.contains(longitude, 89.7)).toBe(false);
    }
    expect(region.boxes).toEqual([expect.objectContaining({ minX: -180, maxX: 180, maxY: 90 })]);
  });

  it('whose radius passes the pole cover every longitude beyond it', () => {
    // Centre at 89.95°N, 0°E; radius 20 km reaches ~0.13° past the pole on the 180° side.
    const region = compileShape({ cx: 0, cy: 89.95, r: 20_000 });
    expect(region.contains(180, 89.9)).toBe(true);
    expect(region.contains(-90, 89.9)).toBe(true);
    expect(region.contains(180, 89.7)).toBe(false);
    expect(region.boxes).toHaveLength(1);
    expect(region.boxes[0]).toMatchObject({ minX: -180, maxX: 180, maxY: 90 });
    expectBoxesCover(region, -180, 180, 89, 90, 0.05);
  });

  it('at longitude 179.9 reach across the antimeridian with two boxes', () => {
    const region = compileShape({ cx: 179.9, cy: 0, r: 50_000 });
    expect(region.contains(-179.9, 0)).toBe(true);
    expect(region.contains(180, 0)).toBe(true);
    expect(region.contains(-180, 0)).toBe(true);
    expect(region.contains(-179.4, 0)).toBe(false);
    expect(region.boxes).toHaveLength(2);
    expect(boxed(region, -179.9, 0)).toBe(true);
    expect(boxed(region, 179.6, 0)).toBe(true);
    expectBoxesCover(region, 179, 180, -1, 1, 0.02);
    expectBoxesCover(region, -180, -179, -1, 1, 0.02);
  });

  it('at high latitude get boxes wide enough for their true extent', () => {
    const region = compileShape({ cx: 20, cy: 70, r: 300_000 });
    expectBoxesCover(region, 5, 35, 66, 74, 0.1);
    expect(region.boxes[0]!.maxX - region.boxes[0]!.minX).toBeGreaterThan(15);
  });

  it('of half the circumference cover the globe', () => {
    const region = compileShape({ cx: 10, cy: 10, r: 20_037_509 });
    expect(region.contains(-170, -10)).toBe(true);
    expect(region.boxes).toEqual([{ minX: -180, minY: -90, maxX: 180, maxY: 90 }]);
  });
});

describe('rectangles', () => {
  it('contain their inside and edges, with latitudes in either order', () => {
    for (const shape of [
      { x1: -0.2, y1: 51.6, x2: 0.1, y2: 51.4 },
      { x1: -0.2, y1: 51.4, x2: 0.1, y2: 51.6 },
      { west: -0.2, north: 51.6, east: 0.1, south: 51.4 },
    ] satisfies Shape[]) {
      const region = compileShape(shape);
      expect(region.contains(-0.1276, 51.5072)).toBe(true);
      expect(region.contains(-0.2, 51.4)).toBe(true);
      expect(region.contains(0.1, 51.6)).toBe(true);
      expect(region.contains(0.11, 51.5)).toBe(false);
      expect(region.contains(0, 51.61)).toBe(false);
      expect(region.boxes).toEqual([{ minX: -0.2, minY: 51.4, maxX: 0.1, maxY: 51.6 }]);
    }
  });

  it('with x1 > x2 cross the antimeridian', () => {
    const region = compileShape({ x1: 170, y1: 10, x2: -170, y2: -10 });
    expect(region.contains(175, 0)).toBe(true);
    expect(region.contains(180, 0)).toBe(true);
    expect(region.contains(-180, 0)).toBe(true);
    expect(region.contains(-175, 5)).toBe(true);
    expect(region.contains(0, 0)).toBe(false);
    expect(region.contains(169, 0)).toBe(false);
    expect(region.contains(-169, 0)).toBe(false);
    expect(region.boxes).toEqual([
      { minX: 170, minY: -10, maxX: 180, maxY: 10 },
      { minX: -180, minY: -10, maxX: -170, maxY: 10 },
    ]);
  });

  it('treat ±180 as one meridian', () => {
    const region = compileShape({ x1: 175, y1: 1, x2: 180, y2: -1 });
    expect(region.contains(-180, 0)).toBe(true);
  });

  it('may be degenerate: a line or a point holds what is on it', () => {
    const line = compileShape({ x1: 5, y1: 1, x2: 5, y2: -1 });
    expect(line.contains(5, 0)).toBe(true);
    expect(line.contains(5.0001, 0)).toBe(false);
    const point = compileShape({ west: 5, north: 1, east: 5, south: 1 });
    expect(point.contains(5, 1)).toBe(true);
  });
});

describe('polygons', () => {
  const concave: Shape = {
    // A "C" opening east: the notch between y 1 and 3, x 1 to 3 is outside.
    points: [
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 3, y: 1 },
      { x: 1, y: 1 },
      { x: 1, y: 3 },
      { x: 3, y: 3 },
      { x: 3, y: 4 },
      { x: 0, y: 4 },
    ],
  };

  it('test concave shapes by ray casting', () => {
    const region = compileShape(concave);
    expect(region.contains(0.5, 2)).toBe(true);
    expect(region.contains(2, 0.5)).toBe(true);
    expect(region.contains(2, 3.5)).toBe(true);
    expect(region.contains(2, 2)).toBe(false);
    expect(region.contains(2.9, 1.5)).toBe(false);
    expect(region.contains(-0.1, 2)).toBe(false);
    expect(region.boxes).toEqual([{ minX: 0, minY: 0, maxX: 3, maxY: 4 }]);
  });

  it('count points on an edge or a vertex as inside', () => {
    const region = compileShape(concave);
    expect(region.contains(0, 2)).toBe(true);
    expect(region.contains(1, 2)).toBe(true);
    expect(region.contains(2, 1)).toBe(true);
    expect(region.contains(3, 0)).toBe(true);
    expect(region.contains(3, 3)).toBe(true);
    expect(region.contains(1.5, 4)).toBe(true);
  });

  it('work in either winding order', () => {
    const region = compileShape({ points: [...(concave as { points: Array<{ x: number; y: number }> }).points].reverse() });
    expect(region.contains(0.5, 2)).toBe(true);
    expect(region.contains(2, 2)).toBe(false);
  });

  it('across 180 are unwrapped and tested at lon and lon ± 360', () => {
    const region = compileShape({
      points: [
        { x: 170, y: 10 },
        { x: -170, y: 10 },
        { x: -170, y: -10 },
        { x: 170, y: -10 },
      ],
    });
    expect(region.contains(175, 0)).toBe(true);
    expect(region.contains(-175, 0)).toBe(true);
    expect(region.contains(180, 0)).toBe(true);
    expect(region.contains(-180, 0)).toBe(true);
    expect(region.contains(0, 0)).toBe(false);
    expect(region.contains(160, 0)).toBe(false);
    expect(region.contains(-160, 0)).toBe(false);
    expect(region.boxes).toEqual([
      { minX: 170, minY: -10, maxX: 180, maxY: 10 },
      { minX: -180, minY: -10, maxX: -170, maxY: 10 },
    ]);
  });

  it('across 180 from the west side as well', () => {
    const region = compileShape({
      points: [
        { x: -175, y: 0 },
        { x: 175, y: 5 },
        { x: 175, y: -5 },
      ],
    });
    expect(region.contains(179, 0)).toBe(true);
    expect(region.contains(-176, 0)).toBe(true);
    expect(region.contains(-174, 0)).toBe(false);
    expect(region.contains(174, 0)).toBe(false);
  });

  it('that are degenerate (collinear, repeated points) hold only the points on their line', () => {
    const line = compileShape({
      points: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ],
    });
    expect(line.contains(0.5, 0.5)).toBe(true);
    expect(line.contains(0.5, 0.6)).toBe(false);
    const dot = compileShape({
      points: [
        { x: 1, y: 1 },
        { x: 1, y: 1 },
        { x: 1, y: 1 },
      ],
    });
    expect(dot.contains(1, 1)).toBe(true);
    expect(dot.contains(1, 1.001)).toBe(false);
  });
});

describe('compileShape', () => {
  it('refuses malformed shapes with InvalidArgumentError', () => {
    const bad = [
      { cx: 0, cy: 0, r: 0 },
      { cx: 0, cy: 0, r: -5 },
      { cx: 0, cy: 0, r: Number.NaN },
      { cx: 200, cy: 0, r: 10 },
      { cx: 0, cy: 91, r: 10 },
      { cx: 0, cy: 0, r: 30_000_000 },
      { x1: 0, y1: 100, x2: 1, y2: 0 },
      { west: Number.POSITIVE_INFINITY, north: 1, east: 1, south: 0 },
      {
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      },
      {
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
          { x: 181, y: 0 },
        ],
      },
      { foo: 1 },
    ] as unknown as Shape[];
    for (const shape of bad) expect(() => compileShape(shape), JSON.stringify(shape)).toThrow(InvalidArgumentError);
  });
});
