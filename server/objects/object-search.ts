import type { SearchResult } from '../../shared/index.js';

/** What a search asks. */
export interface SearchQuery {
  query: string;
  /** @default ['id', 'label', 'data'] */
  fields?: Array<'id' | 'label' | 'data'>;
  /** @default 100 */
  maxObjectResults?: number;
  /** @default 100 */
  maxAreaResults?: number;
}

/** An entity as search reads it. */
export interface Searchable {
  id: string;
  label: string;
  data: Record<string, unknown>;
}

/** Results per kind when the query does not say. */
export const DEFAULT_SEARCH_RESULTS = 100;

/** Deepest level of `data` a search looks into. */
const MAX_SEARCH_DEPTH = 8;

/**
 * Case-insensitive substring search over ids, labels and data values (strings and numbers, at
 * any depth up to 8, reported with a dotted `dataProperty`): one result per entity, its first
 * match in field order `id`, `label`, `data`. `start`/`end` are offsets in `value`.
 *
 * The work is bounded by what the caller hands in (the service reads at most
 * `searchScanLimit` entities) times the size of their data (`maxDataBytes`).
 *
 * @example
 * searchEntities([{ id: 'scooter/1', label: 'Red scooter', data: {} }], [], { query: 'RED' });
 * // [{ id: 'scooter/1', type: 'object', label: 'Red scooter', field: 'label', value: 'Red scooter', start: 0, end: 3 }]
 */
export function searchEntities(objects: Iterable<Searchable>, areas: Iterable<Searchable>, search: SearchQuery): SearchResult[] {
  const needle = search.query.toLowerCase();
  const fields = search.fields ?? ['id', 'label', 'data'];
  return [
    ...collect(objects, 'object', needle, fields, search.maxObjectResults ?? DEFAULT_SEARCH_RESULTS),
    ...collect(areas, 'area', needle, fields, search.maxAreaResults ?? DEFAULT_SEARCH_RESULTS),
  ];
}

function collect(entities: Iterable<Searchable>, type: 'object' | 'area', needle: string, fields: readonly string[], max: number): SearchResult[] {
  const results: SearchResult[] = [];
  if (max === 0) return results;
  for (const entity of entities) {
    const hit = firstMatch(entity, type, needle, fields);
    if (hit === undefined) continue;
    results.push(hit);
    if (results.length >= max) break;
  }
  return results;
}

function firstMatch(entity: Searchable, type: 'object' | 'area', needle: string, fields: readonly string[]): SearchResult | undefined {
  const base = { id: entity.id, type, label: entity.label };
  if (fields.includes('id')) {
    const start = entity.id.toLowerCase().indexOf(needle);
    if (start >= 0) return { ...base, field: 'id', value: entity.id, start, end: start + needle.length };
  }
  if (fields.includes('label')) {
    const start = entity.label.toLowerCase().indexOf(needle);
    if (start >= 0) return { ...base, field: 'label', value: entity.label, start, end: start + needle.length };
  }
  if (fields.includes('data')) {
    const found = inData(entity.data, needle, '', 1);
    if (found !== undefined) return { ...base, field: 'data', ...found };
  }
  return undefined;
}

function inData(value: unknown, needle: string, path: string, depth: number): { value: string; start: number; end: number; dataProperty: string } | undefined {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    const start = text.toLowerCase().indexOf(needle);
    return start >= 0 && path !== '' ? { value: text, start, end: start + needle.length, dataProperty: path } : undefined;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_SEARCH_DEPTH) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = inData(inner, needle, path === '' ? key : `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
