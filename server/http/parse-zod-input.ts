import type { z } from 'zod';
import { InvalidArgumentError, type InputIssue } from '../../shared/index.js';

/**
 * Validates a REST-only request (the admin APIs: webhooks, dev tokens) against a zod schema, in
 * the same error shape as the wire schemas' `parseInput` (`shared/schemas/`); failures become `INVALID_ARGUMENT` with every
 * issue listed (`details.issues: [{ path, message }]`).
 *
 * @example
 * const request = parseZodInput(createWebhookSchema, req.body, 'webhook');
 */
export function parseZodInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
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
