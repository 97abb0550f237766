import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { InvalidArgumentError, LimitExceededError, NotFoundError, PayloadTooLargeError, toRealtimeError, type RealtimeError } from '../../shared/index.js';
import { fromHttpClientError } from './http-client-error.js';

/**
 * The REST error body: the shared `{ code, message, details? }` plus `error`, the class name, as
 * the reference platform answers (`{ "error": "NotFoundError", "message": "..." }`).
 */
export interface RestErrorBody {
  error: string;
  code: string;
  message: string;
  details?: unknown;
  /** The request's id, as in its `X-Request-Id` header and its log line. */
  requestId?: string;
}

/**
 * Answers unknown routes with a typed `NOT_FOUND`.
 *
 * @example
 * app.use(notFoundHandler);
 */
export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
}

/**
 * The last Express middleware: maps any error to its HTTP status and the typed body. Body-parser
 * failures (malformed JSON, oversized body) become `INVALID_ARGUMENT` and `PAYLOAD_TOO_LARGE`.
 * A `RATE_LIMITED` answer (429) carries `Retry-After` in whole seconds (RFC 9110 §10.2.3).
 *
 * @example
 * app.use(errorHandler(logger));
 */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const error = fromBodyParser(err) ?? fromHttpClientError(err) ?? toRealtimeError(err);
    if (error.code === 'INTERNAL') logger.error({ err: error.cause ?? err, method: req.method, path: req.path, requestId: req.id }, 'request failed');
    const body: RestErrorBody = { error: error.name, ...error.toJSON(), ...(typeof req.id === 'string' ? { requestId: req.id } : {}) };
    if (error instanceof LimitExceededError && error.retryAfterMs !== undefined) {
      res.set('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    }
    res.status(error.status).json(body);
  };
}

function fromBodyParser(err: unknown): RealtimeError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    const { length, limit } = err as { length?: number; limit?: number };
    return new PayloadTooLargeError(`Request body is ${length ?? '?'} bytes; the limit is ${limit ?? '?'}`, {
      details: { size: length, limit },
    });
  }
  if (type === 'entity.parse.failed') return new InvalidArgumentError('Request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new InvalidArgumentError('Request body encoding is not supported');
  }
  return undefined;
}
