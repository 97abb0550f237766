import { ErrorCode, HTTP_STATUS_BY_CODE, isErrorCode } from '../../../shared/index.js';

/**
 * What is wrong with a value that should be a typed error `{ code, message, details? }` whose code
 * is in the `ErrorCode` registry and is not `INTERNAL`; `undefined` when nothing is.
 *
 * @example
 * expect(typedErrorProblem(ack.error)).toBeUndefined();
 */
export function typedErrorProblem(value: unknown, extraKeys: readonly string[] = []): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `not an error object: ${preview(value)}`;
  const error = value as Record<string, unknown>;
  if (!isErrorCode(error.code)) return `code ${preview(error.code)} is not in the ErrorCode registry`;
  if (error.code === ErrorCode.INTERNAL) return `INTERNAL: ${preview(error.message)}`;
  if (typeof error.message !== 'string' || error.message === '') return `message is not a non-empty string: ${preview(error.message)}`;
  const allowed = new Set(['code', 'message', 'details', ...extraKeys]);
  const unexpected = Object.keys(error).filter((key) => !allowed.has(key));
  if (unexpected.length > 0) return `unexpected keys ${unexpected.join(', ')}`;
  return undefined;
}

/**
 * What is wrong with a REST error answer: its body must be `{ error, code, message, details?, requestId? }`
 * with a registry code, and the status the one `HTTP_STATUS_BY_CODE` gives that code.
 *
 * @example
 * restErrorProblem(404, { error: 'NotFoundError', code: 'NOT_FOUND', message: '...' }); // undefined
 */
export function restErrorProblem(status: number, body: unknown): string | undefined {
  const problem = typedErrorProblem(body, ['error', 'requestId']);
  if (problem !== undefined) return problem;
  const { code, error, requestId } = body as { code: ErrorCode; error: unknown; requestId?: unknown };
  if (typeof error !== 'string' || error === '') return `error (the class name) is not a string: ${preview(error)}`;
  if (requestId !== undefined && typeof requestId !== 'string') return `requestId is not a string: ${preview(requestId)}`;
  if (HTTP_STATUS_BY_CODE[code] !== status) return `status ${status} does not match ${code} (${HTTP_STATUS_BY_CODE[code]})`;
  return undefined;
}

/**
 * A short printable form of a value for failure messages: JSON, with markers for what JSON hides
 * (`undefined`, typed arrays, which travel as binary attachments).
 */
export function preview(value: unknown, max = 300): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, inner: unknown) => {
        if (inner === undefined) return '<undefined>';
        if (ArrayBuffer.isView(inner)) return `<${inner.constructor.name} of ${inner.byteLength} bytes>`;
        return inner;
      }) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
