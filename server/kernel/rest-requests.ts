import type { Request, RequestHandler, Response } from 'express';
import { InvalidArgumentError, toRealtimeError, type AnySchema } from '../../shared/index.js';
import { principalOf, requireAuth } from '../http/authenticate.js';
import { documentHandler } from '../http/route-docs.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { runOperation, type Operation, type OperationContext } from './operation.js';
import type { OperationMetrics } from './socket-requests.js';

/** How one REST route maps onto an operation. */
export interface RestBinding<R> {
  /**
   * The operation's request from the HTTP request (path parameters, query, body). The realm, when
   * the request does not name one, comes from `X-Realm`.
   */
  input: (req: Request) => Record<string, unknown>;
  /** Writes the answer; `200` with the result as JSON by default. */
  respond?: (res: Response, result: R, req: Request) => void;
}

/**
 * The handlers of a REST route that runs an operation: the bearer token is verified, then the
 * request goes through `runOperation` like a socket request (same schema, rate limit and
 * permission gate), and errors reach the error handler as typed HTTP errors.
 *
 * @example
 * router.post('/events', ...restOperation(publish, rateLimits, { input: (req) => req.body ?? {} }));
 */
export function restOperation<S extends AnySchema, R>(
  operation: Operation<S, R, OperationContext>,
  rateLimits: RateLimits,
  binding: RestBinding<R>,
): RequestHandler[] {
  const handler: RequestHandler = async (req, res) => {
    const input = binding.input(req);
    const header = req.headers['x-realm'];
    if (input.realm === undefined && typeof header === 'string' && header !== '') input.realm = header;
    const metrics = (req.app.locals as { operationMetrics?: OperationMetrics }).operationMetrics;
    let result: R;
    try {
      result = await runOperation(operation, { principal: principalOf(res) }, input, rateLimits);
    } catch (err) {
      metrics?.operationServed(operation.name, toRealtimeError(err).code);
      throw err;
    }
    metrics?.operationServed(operation.name, 'ok');
    if (binding.respond === undefined) res.json(result);
    else binding.respond(res, result, req);
  };
  return [requireAuth, documentHandler(handler, { operation: operation.name, body: { valibot: operation.input } })];
}

/**
 * A request body as an object to build an operation's input from (`{}` when absent).
 *
 * @throws InvalidArgumentError when the body is JSON but not an object.
 *
 * @example
 * input: (req) => ({ ...bodyOf(req), service: req.params.service })
 */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('The request body must be a JSON object');
  return { ...(body as Record<string, unknown>) };
}

/**
 * The body with the fields the URL path names (`service`, `id`): one request, as the socket
 * carries it. A body that names one of them too is refused rather than silently overridden.
 *
 * @throws InvalidArgumentError when the body is not an object, or repeats a path field.
 * @example
 * input: (req) => bodyWithPath(req, { service: req.params.service, id: req.params.id })
 */
export function bodyWithPath(req: Request, path: Record<string, unknown>): Record<string, unknown> {
  const body = bodyOf(req);
  for (const field of Object.keys(path)) {
    if (field in body) {
      throw new InvalidArgumentError(`The body must not name "${field}": it comes from the URL path`, {
        details: { issues: [{ path: field, message: `${field} comes from the URL path` }] },
      });
    }
  }
  return { ...body, ...path };
}

/**
 * The `?realm=` of a request without a body, as an operation's `realm` field (`X-Realm` fills it
 * when absent).
 *
 * @example
 * input: (req) => ({ realm: realmQuery(req), channel: req.params.channel })
 */
export function realmQuery(req: Request): string | undefined {
  const realm = req.query.realm;
  return typeof realm === 'string' && realm !== '' ? realm : undefined;
}
