/**
 * Database events: the mapping from a table (or collection) of the application's own database to
 * a topic, and the REST shapes of `/api/database/mappings`, shared by the server and the REST
 * client. The structural checks are plain functions (like `filterIssues`), so the server's REST
 * schema and anything else that builds a mapping report the same issues.
 */

/** The row operations a mapping can publish. */
export const DATABASE_OPERATIONS = ['insert', 'update', 'delete'] as const;
export type DatabaseOperation = (typeof DATABASE_OPERATIONS)[number];

/**
 * A value in a payload template or a comparison: `"$row.column"` (the new row; dotted paths reach
 * into JSON columns and documents), `"$old.column"` (the row before an update or delete, when the
 * source has it), `"$row"` / `"$old"` (the whole row), `"$table"`, `"$operation"`, or a constant.
 * A string starting with `$$` is the constant without its first `$`. Objects and arrays are
 * templates of their members.
 *
 * @example
 * const payload: MappingTemplate = { sessionId: '$row.id', status: '$row.status', kind: 'session' };
 */
export type MappingTemplate = string | number | boolean | null | MappingTemplate[] | { [key: string]: MappingTemplate };

/** A comparison of two values (`in`: the second is a list, or a template giving one). */
export type MappingComparison =
  | { eq: [MappingTemplate, MappingTemplate] }
  | { ne: [MappingTemplate, MappingTemplate] }
  | { gt: [MappingTemplate, MappingTemplate] }
  | { gte: [MappingTemplate, MappingTemplate] }
  | { lt: [MappingTemplate, MappingTemplate] }
  | { lte: [MappingTemplate, MappingTemplate] }
  | { in: [MappingTemplate, MappingTemplate] };

/**
 * When a change publishes: `{ changed: column }`, `{ or: [...] }`, `{ and: [...] }`, `{ not: c }`
 * and the comparisons.
 *
 * @example
 * const when: MappingCondition = { or: [{ changed: 'status' }, { eq: ['$row.priority', 'high'] }] };
 */
export type MappingCondition = { changed: string } | { or: MappingCondition[] } | { and: MappingCondition[] } | { not: MappingCondition } | MappingComparison;

export const COMPARISON_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/**
 * `POST /api/database/mappings`: the reference shape, verbatim, plus `realm` (the realm its events
 * go to: a realm id, or `"$row.column"` for one per row; the latter needs a platform admin) and
 * `description`. `environment` is kept as given (this platform has realms, not environments).
 *
 * @example
 * const input: DatabaseMappingInput = {
 *   table: 'sessions', topic: 'session.status', events: ['insert', 'update'],
 *   triggerColumns: ['status', 'ended_at'],
 *   payload: { sessionId: '$row.id', status: '$row.status', endedAt: '$row.ended_at' },
 *   when: { or: [{ changed: 'status' }, { changed: 'ended_at' }] },
 * };
 */
export interface DatabaseMappingInput {
  table: string;
  topic: string;
  events: DatabaseOperation[];
  triggerColumns?: string[];
  payload: { [key: string]: MappingTemplate };
  when?: MappingCondition;
  realm?: string;
  environment?: string;
  description?: string;
  /** A paused mapping publishes nothing. @default true */
  active?: boolean;
}

/** What one node counted for a mapping since it started (see the README on database events). */
export interface DatabaseMappingStats {
  /** Events published. */
  delivered: number;
  /** Changes of the table the mapping let pass without an event (`events`, `triggerColumns`, `when`). */
  skipped: number;
  /** Changes that could not become an event (payload refused by the topic's schema, bad realm column, ...). */
  failed: number;
  lastDeliveredAt?: number;
  lastError?: { message: string; at: number; details?: Record<string, unknown> };
}

/** A stored mapping as the API returns it. */
export interface DatabaseMapping extends Omit<DatabaseMappingInput, 'realm' | 'active'> {
  id: string;
  /** A realm id, or `"$row.column"`. */
  realm: string;
  active: boolean;
  createdAt: number;
  updatedAt: number;
  stats: DatabaseMappingStats;
}

/** One source of row changes as `GET /api/database/mappings/status` reports it. */
export interface DatabaseSourceStatus {
  kind: 'postgres' | 'mongodb-outbox' | 'mongodb-change-stream';
  /** `streaming` (reading), `standby` (another node holds the slot or lease), `connecting`, `failed`, `stopped`. */
  state: 'connecting' | 'streaming' | 'standby' | 'failed' | 'stopped';
  /** Changes read from the source by this node. */
  changes: number;
  lastError?: { message: string; at: number };
  /** PostgreSQL: the slot, the publication, the last confirmed position and how far the slot is behind (bytes of WAL). */
  slot?: string;
  publication?: string;
  confirmedLsn?: string;
  lagBytes?: number;
  /** Outbox: the collection and how many documents wait in it. */
  collection?: string;
  pending?: number;
}

/** `GET /api/database/mappings/status`. */
export interface DatabaseEventsStatus {
  sources: DatabaseSourceStatus[];
  mappings: { id: string; table: string; topic: string; realm: string; active: boolean; stats: DatabaseMappingStats }[];
}

/** Bounds of a mapping's expressions (a mapping is evaluated for every change of its table). */
export const MAPPING_LIMITS = {
  /** Nesting of a payload template. */
  maxTemplateDepth: 8,
  /** Bytes of a payload template's JSON. */
  maxTemplateBytes: 8192,
  /** Nodes (conditions and comparisons) of a `when`. */
  maxConditionNodes: 64,
  /** Nesting of a `when`. */
  maxConditionDepth: 8,
  /** Columns of `triggerColumns`. */
  maxTriggerColumns: 64,
  /** Characters of a table or column name (dotted paths included). */
  maxNameLength: 200,
} as const;

/** A problem found in a mapping: the path to it and what is allowed. */
export interface MappingIssue {
  path: (string | number)[];
  message: string;
}

const REFERENCE = /^\$(row|old)(\.[^.]+)*$/;

/** Whether a template string refers to the change (`$row...`, `$old...`, `$table`, `$operation`). */
export function isReference(value: string): boolean {
  return value === '$table' || value === '$operation' || REFERENCE.test(value);
}

/**
 * The problems of a payload template: unknown `$` references, nesting beyond
 * `maxTemplateDepth`, a JSON size beyond `maxTemplateBytes`, values JSON has not.
 *
 * @example
 * templateIssues({ id: '$row.id', x: '$rows.id' }); // [{ path: ['x'], message: ... }]
 */
export function templateIssues(template: unknown, path: (string | number)[] = []): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const walk = (value: unknown, at: (string | number)[], depth: number): void => {
    if (depth > MAPPING_LIMITS.maxTemplateDepth) {
      issues.push({ path: at, message: `templates nest at most ${MAPPING_LIMITS.maxTemplateDepth} levels` });
      return;
    }
    if (value === null || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) issues.push({ path: at, message: 'numbers must be finite' });
      return;
    }
    if (typeof value === 'string') {
      if (value.startsWith('$') && !value.startsWith('$$') && !isReference(value)) {
        issues.push({
          path: at,
          message: `unknown reference ${JSON.stringify(value)}: use $row.column, $old.column, $row, $old, $table or $operation ($$ for a literal $)`,
        });
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, [...at, index], depth + 1));
      return;
    }
    if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...at, key], depth + 1);
      return;
    }
    issues.push({ path: at, message: 'must be JSON: a string, number, boolean, null, array or object' });
  };
  walk(template, path, 0);
  if (issues.length === 0) {
    const bytes = new TextEncoder().encode(JSON.stringify(template)).length;
    if (bytes > MAPPING_LIMITS.maxTemplateBytes)
      issues.push({ path, message: `templates are at most ${MAPPING_LIMITS.maxTemplateBytes} bytes of JSON (this is ${bytes})` });
  }
  return issues;
}

/**
 * The problems of a `when` condition: unknown operators, wrong operand counts, nesting or size
 * beyond the limits.
 *
 * @example
 * conditionIssues({ or: [{ changed: 'status' }, { eq: ['$row.kind'] }] }); // [{ path: ['or', 1, 'eq'], ... }]
 */
export function conditionIssues(condition: unknown, path: (string | number)[] = []): MappingIssue[] {
  const issues: MappingIssue[] = [];
  let nodes = 0;
  const walk = (value: unknown, at: (string | number)[], depth: number): void => {
    nodes += 1;
    if (nodes === MAPPING_LIMITS.maxConditionNodes + 1) issues.push({ path, message: `conditions have at most ${MAPPING_LIMITS.maxConditionNodes} parts` });
    if (nodes > MAPPING_LIMITS.maxConditionNodes) return;
    if (depth > MAPPING_LIMITS.maxConditionDepth) {
      issues.push({ path: at, message: `conditions nest at most ${MAPPING_LIMITS.maxConditionDepth} levels` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      issues.push({ path: at, message: 'a condition is an object with one operator: changed, or, and, not, eq, ne, gt, gte, lt, lte or in' });
      return;
    }
    const keys = Object.keys(value);
    const operator = keys[0];
    if (keys.length !== 1 || operator === undefined) {
      issues.push({ path: at, message: `a condition has exactly one operator (found ${keys.length === 0 ? 'none' : keys.join(', ')})` });
      return;
    }
    const operand = (value as Record<string, unknown>)[operator];
    const here = [...at, operator];
    if (operator === 'changed') {
      if (typeof operand !== 'string' || !isColumnName(operand)) issues.push({ path: here, message: 'changed names a column' });
    } else if (operator === 'or' || operator === 'and') {
      if (!Array.isArray(operand) || operand.length === 0) issues.push({ path: here, message: `${operator} takes a non-empty list of conditions` });
      else operand.forEach((item, index) => walk(item, [...here, index], depth + 1));
    } else if (operator === 'not') {
      walk(operand, here, depth + 1);
    } else if ((COMPARISON_OPERATORS as readonly string[]).includes(operator)) {
      if (!Array.isArray(operand) || operand.length !== 2) issues.push({ path: here, message: `${operator} takes two values, e.g. ["$row.status", "done"]` });
      else issues.push(...templateIssues(operand, here));
    } else {
      issues.push({ path: here, message: `unknown operator "${operator}": use changed, or, and, not, eq, ne, gt, gte, lt, lte or in` });
    }
  };
  walk(condition, path, 0);
  return issues;
}

/** Whether a string can name a column (or a dotted path into one): non-empty, bounded, no `$` start. */
export function isColumnName(value: string): boolean {
  return value.length > 0 && value.length <= MAPPING_LIMITS.maxNameLength && !value.startsWith('$') && !value.split('.').includes('');
}

/** The column a realm template reads (`"$row.tenant"` → `tenant`), or undefined for a fixed realm. */
export function realmColumn(realm: string): string | undefined {
  return realm.startsWith('$row.') && isReference(realm) ? realm.slice('$row.'.length) : undefined;
}
