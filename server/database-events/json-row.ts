import type { Row } from './row-change.js';

/**
 * A row as JSON carries it: Dates as ISO text, bytes as base64, bigints as numbers when exact
 * (text otherwise), nested values alike. PostgreSQL's type parsers and MongoDB's BSON give all of
 * these; an event payload is JSON.
 *
 * @example
 * jsonRow({ at: new Date(0), n: 7n }); // { at: '1970-01-01T00:00:00.000Z', n: 7 }
 */
export function jsonRow(row: Record<string, unknown> | null | undefined): Row | undefined {
  if (row === null || row === undefined) return undefined;
  return jsonValue(row) as Row;
}

function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object') {
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function' && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
      return jsonValue(toJSON.call(value));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = jsonValue(item);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
