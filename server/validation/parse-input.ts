import type { z } from 'zod';
import { InvalidArgumentError } from '../../shared/index.js';

/** One problem found in a request, as reported in `details.issues`. */
export interface InputIssue {
  path: string;
  message: string;
}

/**
 * Validates untrusted input against a zod schema; failures become `INVALID_ARGUMENT` with every
 * issue listed (`details.issues: [{ path, message }]`).
 *
 * @example
 * const request = parseInput(subscribeSchema, raw, 'subscribe');
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: InputIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first === undefined ? 'invalid input' : first.path === '' ? first.message : `${first.path}: ${first.message}`;
  throw new InvalidArgumentError(`Invalid ${what}: ${summary}`, { details: { issues } });
}
