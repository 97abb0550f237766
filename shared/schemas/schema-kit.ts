import * as v from 'valibot';
import { InvalidArgumentError } from '../errors.js';

/*
 * The building blocks of the wire schemas (valibot: tree-shakable, so the browser bundle carries
 * only the checks it uses; zod 4 bundles its whole core and locales, ~80 KB gzipped, measured).
 * Every message names the field and says what is allowed, as the rest of the API does.
 */

/** Any valibot schema, as the request registry holds them. */
export type AnySchema = v.GenericSchema<unknown, unknown>;

/** One problem found in a request, as reported in `details.issues`. */
export interface InputIssue {
  path: string;
  message: string;
}

/**
 * Validates untrusted input against a wire schema; failures become `INVALID_ARGUMENT` with every
 * issue listed (`details.issues: [{ path, message }]`). The client runs it before sending a
 * request, the server on every socket event and REST body, with the same schema.
 *
 * @example
 * const request = parseInput(subscribeRequestSchema, raw, 'subscribe request');
 */
export function parseInput<S extends AnySchema>(schema: S, input: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issues: InputIssue[] = result.issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => String(item.key)).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first === undefined ? 'invalid input' : first.path === '' ? first.message : `${first.path}: ${first.message}`;
  throw new InvalidArgumentError(`Invalid ${what}: ${summary}`, { details: { issues } });
}

/** Whether a value is a JSON object (not null, not an array). */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON object of any content (a payload, document data, a presence state).
 *
 * @example
 * const payloadSchema = jsonObject('payload');
 */
export function jsonObject(field: string): v.GenericSchema<Record<string, unknown>> {
  return v.custom<Record<string, unknown>>(isJsonObject, (issue) => requiredOr(issue, field, `${field} must be a JSON object`));
}

/**
 * A string field matched by a pattern: "`<field>` is required", "`<field>` must be a string", or
 * the rule it breaks.
 *
 * @example
 * const topicSchema = patternText('topic', TOPIC_PATTERN, 'topic must be dot-separated lowercase segments');
 */
export function patternText(field: string, pattern: RegExp, rule: string) {
  return v.pipe(text(field), v.regex(pattern, rule));
}

/** A string field: "`<field>` is required" or "`<field>` must be a string". */
export function text(field: string) {
  return v.string((issue) => requiredOr(issue, field, `${field} must be a string`));
}

/** A whole number field within bounds. */
export function wholeNumber(field: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return v.pipe(
    v.number((issue) => requiredOr(issue, field, `${field} must be a number`)),
    v.integer(`${field} must be a whole number`),
    v.minValue(min, min === 1 ? `${field} must be positive` : `${field} must be at least ${min}`),
    v.maxValue(max, `${field} must be at most ${max}`),
  );
}

/** A boolean field. */
export function flag(field: string) {
  return v.boolean((issue) => requiredOr(issue, field, `${field} must be a boolean`));
}

/**
 * A request: a JSON object with exactly these fields. A missing field is "`<field>` is
 * required", an unknown one "unknown field `<key>`", anything but an object "`<what>` must be an
 * object".
 *
 * @example
 * const unsubscribeRequestSchema = request('unsubscribe request', { subscriptionId: subscriptionIdSchema });
 */
export function request<const E extends v.ObjectEntries>(what: string, entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isJsonObject, `${what} must be a JSON object`),
    v.strictObject(entries, (issue) => {
      const key = issue.path?.[issue.path.length - 1]?.key;
      if (key === undefined) return `${what} must be a JSON object`;
      return issue.expected === 'never' ? `unknown field "${String(key).slice(0, 100)}"` : `${String(key)} is required`;
    }),
  );
}

function requiredOr(issue: v.BaseIssue<unknown>, field: string, message: string): string {
  return issue.input === undefined ? `${field} is required` : message;
}
