import { Router, type Request, type Response } from 'express';
import { InvalidArgumentError, type SyncWriteResult } from '../../shared/index.js';
import { bodyWithPath, restOperation } from '../kernel/rest-requests.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { syncOperations } from './sync-operations.js';

/**
 * Sync documents over REST, for backends: the same operations (schemas, permissions, rate limits,
 * events) as the socket API. Revisions travel as `ETag: "<revision>"`; `If-Match: "<revision>"` is
 * another way to give `expectedRevision`. Writes (POST, PUT, PATCH, DELETE) count against the
 * `writes` rate limits (429 with `Retry-After` beyond); reads are not limited.
 *
 * @example
 * app.use('/api', syncRoutes(syncOperations(sync), rateLimits));
 */
export function syncRoutes(operations: ReturnType<typeof syncOperations>, rateLimits: RateLimits): Router {
  const router = Router();
  const base = '/sync/:service/documents';
  const document = (req: Request) => ({ service: req.params.service, id: req.params.id });
  /** A write's body with its address, `expectedRevision` also from `If-Match`. */
  const write = (req: Request) => withRevision(req, bodyWithPath(req, document(req)));

  router.post(
    base,
    ...restOperation(operations['sync:create'], rateLimits, {
      input: (req) => bodyWithPath(req, { service: req.params.service }),
      respond: (res, created, req) => sendDocument(res.status(201).location(`${req.baseUrl}/sync/${created.service}/documents/${created.id}`), created),
    }),
  );
  router.get(
    base,
    ...restOperation(operations['sync:list'], rateLimits, {
      input: (req) => ({ ...req.query, service: req.params.service, limit: numberParam(req.query.limit) }),
    }),
  );
  router.get(
    `${base}/:id`,
    ...restOperation(operations['sync:get'], rateLimits, {
      input: (req) => ({ ...req.query, ...document(req), includeDeleted: booleanParam(req.query.includeDeleted) }),
      respond: sendDocument,
    }),
  );
  router.put(`${base}/:id`, ...restOperation(operations['sync:replace'], rateLimits, { input: write, respond: sendDocument }));
  router.patch(`${base}/:id/merge`, ...restOperation(operations['sync:merge'], rateLimits, { input: write, respond: sendDocument }));
  router.post(`${base}/:id/mutate`, ...restOperation(operations['sync:mutate'], rateLimits, { input: write, respond: sendDocument }));
  router.delete(`${base}/:id`, ...restOperation(operations['sync:delete'], rateLimits, { input: write, respond: sendDocument }));
  return router;
}

/** Sends a document, or its metadata when the caller may not read it (writes without `R`). */
function sendDocument(res: Response, document: SyncWriteResult): void {
  res.setHeader('ETag', `"${document.revision}"`);
  res.json(document);
}

/** `?limit=20` as a number (a non-number stays as given, for the schema to refuse). */
function numberParam(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** `?includeDeleted=true|false` as a boolean. */
function booleanParam(value: unknown): unknown {
  if (value === undefined || value === '') return undefined;
  return value === 'true' ? true : value === 'false' ? false : value;
}

/** `expectedRevision` from the body or from `If-Match: "<revision>"`; both must agree. */
function withRevision(req: Request, input: Record<string, unknown>): Record<string, unknown> {
  const header = req.headers['if-match'];
  if (header === undefined) return input;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  if (match?.[1] === undefined) throw new InvalidArgumentError('If-Match must carry one revision, e.g. If-Match: "3"');
  const fromHeader = Number(match[1]);
  if (input.expectedRevision !== undefined && input.expectedRevision !== fromHeader) {
    throw new InvalidArgumentError('If-Match and expectedRevision disagree');
  }
  return { ...input, expectedRevision: fromHeader };
}
