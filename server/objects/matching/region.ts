/**
 * An axis-aligned box in degrees, in rbush's field names: `minX`/`maxX` longitudes within -180 to
 * 180 (a box never wraps; a region across the antimeridian has two), `minY`/`maxY` latitudes.
 *
 * @example
 * const london: GeoBox = { minX: -0.5, minY: 51.3, maxX: 0.3, maxY: 51.7 };
 */
export interface GeoBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * A compiled shape: an exact membership test and the boxes that cover it (for an index). Every
 * point `contains` accepts lies in at least one box; boxes may cover more than the shape.
 *
 * @example
 * const region = compileShape({ cx: 3.37, cy: 6.51, r: 1000 });
 * if (region.contains(3.371, 6.512)) notify();
 */
export interface Region {
  /** Whether the point (degrees) is inside the shape; points on its edge are inside. */
  contains(longitude: number, latitude: number): boolean;
  /** One box, or two for a shape across the antimeridian. */
  readonly boxes: readonly GeoBox[];
}

/**
 * The boxes covering longitudes `west` to `east` (degrees, `west <= east`, either may lie up to
 * 360° outside -180..180 after unwrapping) between latitudes `south` and `north`: one box, two
 * when the span passes ±180, the whole band when it spans 360°.
 *
 * @example
 * wrappedBoxes(170, 190, -1, 1); // [{ minX: 170, maxX: 180, ... }, { minX: -180, maxX: -170, ... }]
 */
export function wrappedBoxes(west: number, east: number, south: number, north: number): GeoBox[] {
  if (east - west >= 360) return [{ minX: -180, minY: south, maxX: 180, maxY: north }];
  if (west < -180) {
    return [
      { minX: west + 360, minY: south, maxX: 180, maxY: north },
      { minX: -180, minY: south, maxX: east, maxY: north },
    ];
  }
  if (east > 180) {
    return [
      { minX: west, minY: south, maxX: 180, maxY: north },
      { minX: -180, minY: south, maxX: east - 360, maxY: north },
    ];
  }
  return [{ minX: west, minY: south, maxX: east, maxY: north }];
}
