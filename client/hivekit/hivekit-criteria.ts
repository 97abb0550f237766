import type { ObjectCriteria } from '../objects/objects-client.js';
import { hivekitError } from './hivekit-errors.js';
import { parseHivekitShape } from './hivekit-geo.js';

/**
 * Options of `realm.object.subscribe()` and `subscription.update()`: `where` (or its alias
 * `attribute`): conditions such as `'type="scooter"'`; one bound: `shape`, `area` (an area id)
 * or `target: { id, r }` (a roaming geofence around an object); `executeImmediately`.
 *
 * @example
 * const options: HivekitObjectSubscribeOptions = { where: ['charge>0.3'], shape: { cx: 13.4, cy: 52.5, r: 2000 } };
 */
export interface HivekitObjectSubscribeOptions {
  executeImmediately?: boolean;
  where?: string | string[];
  attribute?: string | string[];
  shape?: Record<string, unknown>;
  area?: string;
  target?: { id: string; r: number | string };
}

const OBJECT_OPTION_KEYS = new Set(['executeImmediately', 'where', 'attribute', 'shape', 'area', 'target']);

/**
 * Hivekit subscribe options as the platform's objects-feed criteria; an unknown key is refused
 * (`{ message: 'unknown field "<key>"', code: 400 }`, Hivekit's `unknown_field`).
 *
 * @example
 * toObjectCriteria({ attribute: 'type="bike"', shape: { west: 13.3, north: 52.6, east: 13.5, south: 52.4 } });
 * // { where: ['type="bike"'], shape: { west: 13.3, north: 52.6, east: 13.5, south: 52.4 } }
 */
export function toObjectCriteria(options: unknown, allowExecute = true): ObjectCriteria {
  const given = asOptions(options);
  assertKnownKeys(given, allowExecute ? OBJECT_OPTION_KEYS : new Set([...OBJECT_OPTION_KEYS].filter((key) => key !== 'executeImmediately')));
  const criteria: Record<string, unknown> = {};
  const where = given.where ?? given.attribute;
  if (where !== undefined) criteria.where = typeof where === 'string' ? [where] : where;
  if (given.shape !== undefined) criteria.shape = parseHivekitShape(given.shape);
  if (given.area !== undefined) criteria.area = given.area;
  if (given.target !== undefined) {
    const target = (typeof given.target === 'object' && given.target !== null ? given.target : {}) as Record<string, unknown>;
    criteria.target = { id: target.id, r: typeof target.r === 'string' ? Number.parseFloat(target.r) : target.r };
  }
  if (given.executeImmediately !== undefined) criteria.executeImmediately = given.executeImmediately;
  return criteria as ObjectCriteria;
}

/**
 * Throws Hivekit's `unknown_field` refusal for a key outside `allowed`.
 *
 * @example
 * assertKnownKeys({ executeImmediately: true }, new Set(['executeImmediately']));
 */
export function assertKnownKeys(options: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw hivekitError(`unknown field "${key}"`);
  }
}

/**
 * An options argument as a plain object (`undefined` is `{}`); anything else but an object is
 * refused with `400`.
 *
 * @example
 * const given = asOptions(options);
 */
export function asOptions(options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw hivekitError('options must be an object');
  return options as Record<string, unknown>;
}
