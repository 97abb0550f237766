import { realmColumn, type DatabaseMapping, type MappingCondition, type MappingTemplate } from '../../shared/index.js';
import type { Row, RowChange } from './row-change.js';

/** What a mapping makes of a change: an event's realm and payload, or why there is none. */
export type MappingOutcome =
  | { kind: 'event'; realm: string; payload: Record<string, unknown> }
  | { kind: 'skipped'; reason: 'operation' | 'trigger-columns' | 'when' | 'inactive' }
  | { kind: 'failed'; message: string; details?: Record<string, unknown> };

/** The parts of a mapping evaluation reads. */
export type EvaluatedMapping = Pick<DatabaseMapping, 'events' | 'payload' | 'realm' | 'active'> & Partial<Pick<DatabaseMapping, 'triggerColumns' | 'when'>>;

/**
 * Evaluates a mapping against one row change: the operation, `triggerColumns` (an update passes
 * when one of them changed), `when`, then the payload template and the realm. Pure: no I/O, no
 * clock; the router publishes what it returns.
 *
 * `changed(column)` and `triggerColumns` compare `$old` with `$row`; without old values (a
 * PostgreSQL table without REPLICA IDENTITY FULL) an update counts every column as changed, so
 * nothing is dropped for want of information. Inserts and deletes change every column.
 *
 * @example
 * evaluateMapping(mapping, { table: 'sessions', operation: 'insert', row: { id: 1, status: 'open' } });
 * // { kind: 'event', realm: 'demo', payload: { sessionId: 1, status: 'open' } }
 */
export function evaluateMapping(mapping: EvaluatedMapping, change: RowChange): MappingOutcome {
  if (!mapping.active) return { kind: 'skipped', reason: 'inactive' };
  if (!mapping.events.includes(change.operation)) return { kind: 'skipped', reason: 'operation' };
  const triggers = mapping.triggerColumns;
  if (change.operation === 'update' && triggers !== undefined && triggers.length > 0 && !triggers.some((column) => changed(change, column))) {
    return { kind: 'skipped', reason: 'trigger-columns' };
  }
  if (mapping.when !== undefined && !holds(mapping.when, change)) return { kind: 'skipped', reason: 'when' };
  const column = realmColumn(mapping.realm);
  let realm = mapping.realm;
  if (column !== undefined) {
    const value = read(change.row, column);
    if (typeof value !== 'string' && typeof value !== 'number') {
      return {
        kind: 'failed',
        message: `The realm column "${column}" is ${value === undefined || value === null ? 'empty' : 'not text'} in this row`,
        details: { column },
      };
    }
    realm = String(value);
  }
  const payload = render(mapping.payload, change);
  return { kind: 'event', realm, payload: payload as Record<string, unknown> };
}

/** Whether a column's value differs between `$old` and `$row` (true without old values, on insert and delete). */
export function changed(change: RowChange, column: string): boolean {
  if (change.operation !== 'update' || change.old === undefined) return true;
  return !sameJson(read(change.old, column), read(change.row, column));
}

/** Whether a condition holds for a change. */
export function holds(condition: MappingCondition, change: RowChange): boolean {
  if ('changed' in condition) return changed(change, condition.changed);
  if ('or' in condition) return condition.or.some((part) => holds(part, change));
  if ('and' in condition) return condition.and.every((part) => holds(part, change));
  if ('not' in condition) return !holds(condition.not, change);
  const [operator, operands] = Object.entries(condition)[0] as [string, [MappingTemplate, MappingTemplate]];
  const left = render(operands[0], change);
  const right = render(operands[1], change);
  switch (operator) {
    case 'eq':
      return sameJson(left, right);
    case 'ne':
      return !sameJson(left, right);
    case 'in':
      return Array.isArray(right) && right.some((item) => sameJson(left, item));
    default:
      return ordered(operator, left, right);
  }
}

/** Renders a template for a change: references replaced by the change's values (missing ones by `null`). */
export function render(template: MappingTemplate, change: RowChange): unknown {
  if (typeof template === 'string') {
    if (!template.startsWith('$')) return template;
    if (template.startsWith('$$')) return template.slice(1);
    if (template === '$table') return change.table;
    if (template === '$operation') return change.operation;
    const [root, ...path] = template.slice(1).split('.');
    const source = root === 'row' ? change.row : change.old;
    if (source === undefined) return null;
    return path.length === 0 ? source : (read(source, path.join('.')) ?? null);
  }
  if (Array.isArray(template)) return template.map((item) => render(item, change));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, render(value, change)]));
  }
  return template;
}

/** A column's value, or a dotted path into a JSON column or document (`address.city`). */
function read(row: Row, path: string): unknown {
  if (Object.hasOwn(row, path)) return row[path];
  let value: unknown = row;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Order comparisons hold between two numbers or two strings only (never across types, as in SQL). */
function ordered(operator: string, left: unknown, right: unknown): boolean {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const a = left as number | string;
  const b = right as number | string;
  if (operator === 'gt') return a > b;
  if (operator === 'gte') return a >= b;
  if (operator === 'lt') return a < b;
  return a <= b;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return a === b || (a ?? null) === (b ?? null);
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/** Values as JSON compares them: object keys sorted, Dates as ISO text. */
function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, normalise((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
