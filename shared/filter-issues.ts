import { MAX_FILTER_IN_VALUES, MAX_FILTER_KEYS, MAX_FILTER_LIKE_LENGTH, MAX_FILTER_PATH_LENGTH, MAX_FILTER_STRING_LENGTH } from './filter.js';

/**
 * One problem with a subscription filter: where (`path`, relative to the filter: the key, then
 * `in` / `like` and an index) and what is allowed instead.
 *
 * @example
 * const issue: FilterIssue = { path: ['campusId'], message: 'use a string, ...' };
 */
export interface FilterIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What a filter condition may be, as every message about a bad condition says it.
 *
 * @example
 * FILTER_CONDITIONS_HELP; // 'use a string, number, boolean or null for equality, ...'
 */
export const FILTER_CONDITIONS_HELP =
  'use a string, number, boolean or null for equality, { in: [...] } for membership or { like: "pattern" } for an id pattern';

/** Most issues reported for one filter: enough to fix it, bounded whatever the input. */
const MAX_ISSUES = 10;

const PATH_PATTERN = /^[^.]+(?:\.[^.]+)*$/;

/**
 * Checks a subscription filter and lists what is wrong with it, each message saying what is
 * allowed (an empty list: the filter is valid). The client runs it in `subscribe()`, so that a bad
 * filter throws there, and the server's `subscribe` schema runs it too, so that both say the
 * same thing.
 *
 * @example
 * filterIssues({ campusId: [12, 15] });
 * // [{ path: ['campusId'], message: '... an array is not a value: did you mean { in: [12, 15] }?' }]
 * filterIssues({ campusId: { in: [12, 15] } }); // []
 */
export function filterIssues(filter: unknown): FilterIssue[] {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    return [{ path: [], message: 'filter must be an object of field → condition' }];
  }
  const issues: FilterIssue[] = [];
  const keys = Object.keys(filter);
  if (keys.length > MAX_FILTER_KEYS) issues.push({ path: [], message: `filter may have at most ${MAX_FILTER_KEYS} keys` });
  for (const key of keys) {
    if (issues.length >= MAX_ISSUES) break;
    if (key.length > MAX_FILTER_PATH_LENGTH || !PATH_PATTERN.test(key)) {
      issues.push({
        path: [key],
        message: `filter keys are field names or dotted paths such as "room.id", at most ${MAX_FILTER_PATH_LENGTH} characters`,
      });
      continue;
    }
    checkCondition(key, (filter as Record<string, unknown>)[key], issues);
  }
  return issues.slice(0, MAX_ISSUES);
}

function checkCondition(key: string, condition: unknown, issues: FilterIssue[]): void {
  if (typeof condition !== 'object' || condition === null) {
    const problem = primitiveProblem(condition);
    if (problem !== undefined) issues.push({ path: [key], message: `${FILTER_CONDITIONS_HELP}; ${problem}` });
    return;
  }
  if (Array.isArray(condition)) {
    issues.push({
      path: [key],
      message: `${FILTER_CONDITIONS_HELP}; an array is not a value: did you mean { in: ${preview(condition)} }?`,
    });
    return;
  }
  const operators = Object.keys(condition);
  const unknown = operators.find((operator) => operator !== 'in' && operator !== 'like');
  if (unknown !== undefined) {
    issues.push({
      path: [key],
      message:
        `${FILTER_CONDITIONS_HELP}; ${JSON.stringify(unknown)} is not an operator (there are no comparisons), ` +
        `and a nested field is matched with a dotted key such as ${JSON.stringify(`${key}.${unknown}`)}`,
    });
    return;
  }
  if (operators.length !== 1) {
    const problem = operators.length === 0 ? '{} has no operator' : 'a condition has one operator, not both "in" and "like"';
    issues.push({ path: [key], message: `${FILTER_CONDITIONS_HELP}; ${problem}` });
    return;
  }
  const operand: unknown = (condition as Record<string, unknown>)[operators[0] as string];
  if (operators[0] === 'in') checkIn(key, operand, issues);
  else checkLike(key, operand, issues);
}

function checkIn(key: string, values: unknown, issues: FilterIssue[]): void {
  const shape = `"in" must be an array of 1 to ${MAX_FILTER_IN_VALUES} strings, numbers, booleans or nulls`;
  if (!Array.isArray(values)) {
    issues.push({ path: [key, 'in'], message: shape });
    return;
  }
  if (values.length === 0) issues.push({ path: [key, 'in'], message: '"in" needs at least one value' });
  if (values.length > MAX_FILTER_IN_VALUES) {
    issues.push({ path: [key, 'in'], message: `"in" may have at most ${MAX_FILTER_IN_VALUES} values` });
    return;
  }
  values.forEach((value: unknown, index) => {
    if (issues.length >= MAX_ISSUES) return;
    const problem = typeof value === 'object' && value !== null ? 'arrays and objects are not values' : primitiveProblem(value);
    if (problem !== undefined) issues.push({ path: [key, 'in', index], message: `${shape}; ${problem}` });
  });
}

function checkLike(key: string, pattern: unknown, issues: FilterIssue[]): void {
  let problem: string | undefined;
  if (typeof pattern !== 'string') problem = '"like" must be a string pattern such as "riders/*"';
  else if (pattern.length === 0) problem = '"like" must not be empty';
  else if (pattern.length > MAX_FILTER_LIKE_LENGTH) problem = `"like" must be at most ${MAX_FILTER_LIKE_LENGTH} characters`;
  if (problem !== undefined) issues.push({ path: [key, 'like'], message: problem });
}

/** Why a value that is not an object cannot be compared against; `undefined` when it can. */
function primitiveProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_FILTER_STRING_LENGTH ? `strings are at most ${MAX_FILTER_STRING_LENGTH} characters` : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : 'numbers must be finite';
    case 'boolean':
      return undefined;
    case 'undefined':
      return 'undefined is not a value (use null, or leave the key out)';
    default:
      return value === null ? undefined : `a ${typeof value} is not a value`;
  }
}

/** A short rendering of an array for a hint: `[12, 15]`, `["a", "b", ...]`. */
function preview(values: unknown[]): string {
  const shown = values.slice(0, 5).map((value) => {
    if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
    return '…';
  });
  return `[${shown.join(', ')}${values.length > 5 ? ', …' : ''}]`;
}
