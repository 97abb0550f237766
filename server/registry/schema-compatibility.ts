/** How a new schema version must relate to the one before it. */
export type CompatibilityMode = 'backward' | 'none';

/** One reason a new version is not backward compatible: where, and what changed. */
export interface CompatibilityIssue {
  /** JSON Pointer into the schemas (`/properties/amount`). */
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

/**
 * The ways `next` would refuse payloads that `previous` accepts: an empty list means every
 * payload valid under the previous version is still valid (backward compatibility, as a
 * consumer upgraded to `next` must still read what producers on `previous` send).
 *
 * Why conservative rules instead of a proof: whether one JSON Schema accepts everything another
 * does is undecidable in general. These rules catch the changes that break producers in practice
 * (a new required field, a removed or narrowed type, a tighter bound, a dropped enum value, a
 * property no longer allowed) and compare nested `properties` and `items` recursively. A keyword
 * they do not understand (`$ref`, `allOf`, `if`, ...) that changed between versions is reported
 * rather than assumed safe. One leniency: a new optional property is allowed where unlisted
 * properties were (adding a field is how topics grow; a producer that sent an unlisted field of
 * that name with another type would be refused).
 *
 * @example
 * backwardIssues({ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', required: ['a'], properties: { a: { type: 'string' } } });
 * // [{ path: '/required', message: 'property "a" is required now; payloads without it were valid' }]
 */
export function backwardIssues(previous: unknown, next: unknown): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = [];
  compare(previous, next, '', issues);
  return issues;
}

/** Keywords the rules below compare; any other keyword must stay the same. */
const UNDERSTOOD = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'examples',
  'default',
  '$comment',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'pattern',
  'format',
  'multipleOf',
]);

function compare(previousSchema: unknown, next: unknown, path: string, issues: CompatibilityIssue[]): void {
  if (next === true || isEmptySchema(next)) return; // accepts everything
  if (previousSchema === false) return; // accepted nothing
  const previous = previousSchema === true ? {} : previousSchema;
  if (next === false) {
    issues.push({ path: path || '/', message: 'the schema accepts nothing now' });
    return;
  }
  if (!isSchema(previous) || !isSchema(next)) {
    if (JSON.stringify(previous) !== JSON.stringify(next))
      issues.push({ path: path || '/', message: 'the schema changed in a way these rules cannot compare' });
    return;
  }
  compareTypes(previous, next, path, issues);
  compareEnum(previous, next, path, issues);
  compareBounds(previous, next, path, issues);
  for (const keyword of ['pattern', 'format', 'multipleOf'] as const) {
    if (next[keyword] !== undefined && JSON.stringify(previous[keyword]) !== JSON.stringify(next[keyword])) {
      issues.push({ path: `${path}/${keyword}`, message: `${keyword} ${previous[keyword] === undefined ? 'was added' : 'changed'}` });
    }
  }
  compareObject(previous, next, path, issues);
  if (next.items !== undefined) compare(previous.items ?? true, next.items, `${path}/items`, issues);
  for (const keyword of new Set([...Object.keys(previous), ...Object.keys(next)])) {
    if (UNDERSTOOD.has(keyword)) continue;
    if (JSON.stringify(previous[keyword]) !== JSON.stringify(next[keyword])) {
      issues.push({ path: `${path}/${keyword}`, message: `"${keyword}" changed, and these rules cannot tell whether it accepts less` });
    }
  }
}

function compareTypes(previous: Schema, next: Schema, path: string, issues: CompatibilityIssue[]): void {
  if (next.type === undefined) return;
  const before = typesOf(previous.type);
  const after = typesOf(next.type);
  if (before === undefined) {
    issues.push({ path: `${path}/type`, message: `type ${after?.join(' | ')} was added; any type was valid` });
    return;
  }
  for (const type of before) {
    const kept = after?.includes(type) === true || (type === 'integer' && after?.includes('number') === true);
    if (!kept) issues.push({ path: `${path}/type`, message: `type "${type}" is not accepted any more` });
  }
}

function compareEnum(previous: Schema, next: Schema, path: string, issues: CompatibilityIssue[]): void {
  for (const keyword of ['enum', 'const'] as const) {
    if (next[keyword] === undefined) continue;
    const allowed = keyword === 'enum' && Array.isArray(next.enum) ? next.enum.map((value) => JSON.stringify(value)) : [JSON.stringify(next.const)];
    const before = previous.enum !== undefined && Array.isArray(previous.enum) ? previous.enum : previous.const !== undefined ? [previous.const] : undefined;
    if (before === undefined) {
      issues.push({ path: `${path}/${keyword}`, message: `${keyword} was added; any value was valid` });
      continue;
    }
    for (const value of before) {
      if (!allowed.includes(JSON.stringify(value))) issues.push({ path: `${path}/${keyword}`, message: `${JSON.stringify(value)} is not accepted any more` });
    }
  }
}

/** Lower bounds may only go down, upper bounds only up. */
const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

function compareBounds(previous: Schema, next: Schema, path: string, issues: CompatibilityIssue[]): void {
  for (const keyword of LOWER) {
    const after = next[keyword];
    if (typeof after !== 'number') continue;
    const before = previous[keyword];
    if (typeof before !== 'number' || after > before)
      issues.push({
        path: `${path}/${keyword}`,
        message: `${keyword} ${before === undefined ? `${after} was added` : `rose from ${String(before)} to ${after}`}`,
      });
  }
  for (const keyword of UPPER) {
    const after = next[keyword];
    if (typeof after !== 'number') continue;
    const before = previous[keyword];
    if (typeof before !== 'number' || after < before)
      issues.push({
        path: `${path}/${keyword}`,
        message: `${keyword} ${before === undefined ? `${after} was added` : `fell from ${String(before)} to ${after}`}`,
      });
  }
}

function compareObject(previous: Schema, next: Schema, path: string, issues: CompatibilityIssue[]): void {
  const requiredBefore = new Set(Array.isArray(previous.required) ? previous.required : []);
  for (const name of Array.isArray(next.required) ? next.required : []) {
    if (!requiredBefore.has(name))
      issues.push({ path: `${path}/required`, message: `property "${String(name)}" is required now; payloads without it were valid` });
  }
  const before = isSchema(previous.properties) ? previous.properties : {};
  const after = isSchema(next.properties) ? next.properties : {};
  for (const [name, schema] of Object.entries(after)) {
    if (name in before) compare(before[name], schema, `${path}/properties/${escapePointerToken(name)}`, issues);
    // A new optional property is allowed where any property was (the usual way a topic grows);
    // where unlisted properties had a schema, the new one must accept what it did.
    else if (isSchema(previous.additionalProperties)) compare(previous.additionalProperties, schema, `${path}/properties/${escapePointerToken(name)}`, issues);
  }
  if (next.additionalProperties !== undefined && next.additionalProperties !== true) {
    for (const name of Object.keys(before)) {
      if (!(name in after)) {
        compare(before[name], next.additionalProperties, `${path}/properties/${escapePointerToken(name)}`, issues);
      }
    }
    if (previous.additionalProperties === undefined || previous.additionalProperties === true) {
      issues.push({ path: `${path}/additionalProperties`, message: 'properties not listed were allowed and are restricted now' });
    } else {
      compare(previous.additionalProperties, next.additionalProperties, `${path}/additionalProperties`, issues);
    }
  }
}

function typesOf(type: unknown): string[] | undefined {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((entry): entry is string => typeof entry === 'string');
  return undefined;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keywords that annotate and never refuse a value. */
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'examples', 'default', '$comment']);

function isEmptySchema(value: unknown): boolean {
  return isSchema(value) && Object.keys(value).every((key) => ANNOTATIONS.has(key));
}

function escapePointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}
