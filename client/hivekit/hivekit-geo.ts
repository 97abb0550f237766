import type { LocationInput, Shape } from '../../shared/index.js';
import { hivekitError } from './hivekit-errors.js';

const NUMERIC_LOCATION_KEYS = ['latitude', 'longitude', 'accuracy', 'speed', 'heading', 'altitude', 'altitudeAccuracy'] as const;
const SHAPE_NUMBER_KEYS = ['cx', 'cy', 'r', 'x1', 'y1', 'x2', 'y2', 'west', 'north', 'east', 'south'] as const;

/**
 * A location as Hivekit code writes it, as the platform takes it: numbers given as strings
 * (`'52.51'`) become floats, `time` (a `Date`, Unix ms or a date string) becomes ISO 8601, and
 * unknown keys are dropped (as Hivekit's `parseLocation` does).
 *
 * @example
 * parseHivekitLocation({ latitude: '52.51', longitude: 13.37, time: new Date(0) });
 * // { latitude: 52.51, longitude: 13.37, time: '1970-01-01T00:00:00.000Z' }
 */
export function parseHivekitLocation(input: unknown): LocationInput {
  if (typeof input !== 'object' || input === null) throw hivekitError('location must be an object with latitude and longitude');
  const source = input as Record<string, unknown>;
  const location: Record<string, unknown> = {};
  for (const key of NUMERIC_LOCATION_KEYS) {
    if (source[key] !== undefined) location[key] = toNumber(source[key]);
  }
  if (source.time !== undefined && source.time !== null) location.time = toIsoTime(source.time);
  if (typeof source.coordinateSystem === 'string') location.coordinateSystem = source.coordinateSystem;
  return location as unknown as LocationInput;
}

/**
 * A shape as Hivekit code writes it: string numbers become floats, points too. The kinds stay as
 * written (`{ west, north, east, south }` is a platform shape as well).
 *
 * @example
 * parseHivekitShape({ cx: '13.4', cy: 52.5, r: 500 }); // { cx: 13.4, cy: 52.5, r: 500 }
 */
export function parseHivekitShape(input: unknown): Shape {
  if (typeof input !== 'object' || input === null) throw hivekitError('unknown shape data');
  const source = input as Record<string, unknown>;
  const shape: Record<string, unknown> = { ...source };
  for (const key of SHAPE_NUMBER_KEYS) if (source[key] !== undefined) shape[key] = toNumber(source[key]);
  if (Array.isArray(source.points)) {
    shape.points = source.points.map((point: unknown) => {
      const p = (typeof point === 'object' && point !== null ? point : {}) as Record<string, unknown>;
      return { ...p, x: toNumber(p.x), y: toNumber(p.y) };
    });
  }
  return shape as unknown as Shape;
}

function toNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number.parseFloat(value);
    return Number.isNaN(parsed) ? value : parsed;
  }
  return value;
}

function toIsoTime(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
  }
  return value;
}
