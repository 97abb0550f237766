import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { InvalidArgumentError, type SyncWriteResult } from '../../shared/index.js';
import { resolveRealm } from '../auth/permissions.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { SyncService } from '../sync/sync-service.js';
import { parseInput } from '../validation/parse-input.js';
import { dataSchema, documentIdSchema, mutationSchema, serviceSchema } from '../validation/sync-schemas.js';
import { principalOf, requestedRealm, requireAuth } from './authenticate.js';

const revision = z.number({ error: 'expectedRevision must be a number' }).int().positive();
const expiresAt = z.number({ error: 'expiresAt must be a Unix time in ms' }).int().positive();
const ttl = z.number({ error: 'ttl must be a number of seconds' }).positive().max(366 * 24 * 3600);

const createBody = z.strictObject({
  id: documentIdSchema.optional(),
  data: dataSchema,
  expiresAt: expiresAt.optional(),
  ttl: ttl.optional(),
  realm: z.string().optional(),
});
const writeBody = z.strictObject({
  data: dataSchema,
  expectedRevision: revision.optional(),
  expiresAt: expiresAt.nullable().optional(),
  ttl: ttl.optional(),
  realm: z.string().optional(),
});
const mutateBody = z.strictObject({
  mutations: z.array(mutationSchema, { error: 'mutations must be an array' }).min(1).max(1000),
  expectedRevision: revision.optional(),
  expiresAt: expiresAt.nullable().optional(),
  ttl: ttl.optional(),
  realm: z.string().optional(),
});
const deleteBody = z.strictObject({ expectedRevision: revision.optional(), realm: z.string().optional() });
const listQuery = z.strictObject({
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1).max(1000).optional(),
  after: z.string().min(1).max(512).optional(),
  realm: z.string().optional(),
});
const getQuery = z.strictObject({
  includeDeleted: z.enum(['true', 'false'], { error: 'includeDeleted must be true or false' }).optional(),
  realm: z.string().optional(),
});

/**
 * Sync documents over REST, for backends: the same service, permissions and events as the socket
 * API. Revisions travel as `ETag: "<revision>"`; `If-Match: "<revision>"` is another way to give
 * `expectedRevision`. Writes (POST, PUT, PATCH, DELETE) count against the `writes` rate limits
 * (429 with `Retry-After` beyond); reads are not limited.
 *
 * @example
 * app.use('/api', syncRoutes(sync, rateLimits));
 */
export function syncRoutes(sync: SyncService, rateLimits: RateLimits): Router {
  const router = Router();
  const base = '/sync/:service/documents';
  /** A writing caller: its realm resolved and one write counted against it. */
  const writer = async (req: Request, res: Response, bodyRealm: string | undefined) => {
    const principal = principalOf(res);
    const realm = resolveRealm(principal, requestedRealm(req, bodyRealm));
    await rateLimits.consume('writes', principal, realm);
    return { principal, realm };
  };

  router.post(base, requireAuth, async (req, res) => {
    const { realm, ...input } = parseInput(createBody, req.body ?? {}, 'document');
    const document = await sync.create(await writer(req, res, realm), service(req), input);
    sendDocument(res.status(201).location(`${req.baseUrl}/sync/${document.service}/documents/${document.id}`), document);
  });

  router.get(base, requireAuth, async (req, res) => {
    const { realm, ...options } = parseInput(listQuery, req.query, 'list query');
    res.json(await sync.list(caller(req, res, realm), service(req), options));
  });

  router.get(`${base}/:id`, requireAuth, async (req, res) => {
    const { realm, includeDeleted } = parseInput(getQuery, req.query, 'query');
    sendDocument(res, await sync.get(caller(req, res, realm), service(req), id(req), includeDeleted === 'true'));
  });

  router.put(`${base}/:id`, requireAuth, async (req, res) => {
    const { realm, data, ...options } = parseInput(writeBody, req.body ?? {}, 'document');
    const expectedRevision = revisionFrom(req, options.expectedRevision);
    sendDocument(res, await sync.replace(await writer(req, res, realm), service(req), id(req), data, withRevision(options, expectedRevision)));
  });

  router.patch(`${base}/:id/merge`, requireAuth, async (req, res) => {
    const { realm, data, ...options } = parseInput(writeBody, req.body ?? {}, 'merge patch');
    const expectedRevision = revisionFrom(req, options.expectedRevision);
    sendDocument(res, await sync.merge(await writer(req, res, realm), service(req), id(req), data, withRevision(options, expectedRevision)));
  });

  router.post(`${base}/:id/mutate`, requireAuth, async (req, res) => {
    const { realm, mutations, ...options } = parseInput(mutateBody, req.body ?? {}, 'mutations');
    const expectedRevision = revisionFrom(req, options.expectedRevision);
    sendDocument(
      res,
      await sync.mutate(await writer(req, res, realm), service(req), id(req), mutations, withRevision(options, expectedRevision)),
    );
  });

  router.delete(`${base}/:id`, requireAuth, async (req, res) => {
    const { realm, expectedRevision } = parseInput(deleteBody, req.body ?? {}, 'delete request');
    const revisionToMatch = revisionFrom(req, expectedRevision);
    sendDocument(
      res,
      await sync.delete(await writer(req, res, realm), service(req), id(req), revisionToMatch === undefined ? {} : { expectedRevision: revisionToMatch }),
    );
  });

  return router;
}

function caller(req: Request, res: Response, bodyRealm: string | undefined) {
  const realm = requestedRealm(req, bodyRealm);
  return { principal: principalOf(res), ...(realm === undefined ? {} : { realm }) };
}

function service(req: Request): string {
  return parseInput(serviceSchema, req.params.service, 'service');
}

function id(req: Request): string {
  return parseInput(documentIdSchema, req.params.id, 'document id');
}

/** Sends a document, or its metadata when the caller may not read it (writes without `R`). */
function sendDocument(res: Response, document: SyncWriteResult): void {
  res.setHeader('ETag', `"${document.revision}"`);
  res.json(document);
}

/** `expectedRevision` from the body or from `If-Match: "<revision>"`; both must agree. */
function revisionFrom(req: Request, fromBody: number | undefined): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) return fromBody;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  if (match?.[1] === undefined) throw new InvalidArgumentError('If-Match must carry one revision, e.g. If-Match: "3"');
  const fromHeader = Number(match[1]);
  if (fromBody !== undefined && fromBody !== fromHeader) {
    throw new InvalidArgumentError('If-Match and expectedRevision disagree');
  }
  return fromHeader;
}

function withRevision<T extends { expectedRevision?: number }>(options: T, expectedRevision: number | undefined): T {
  const { expectedRevision: _ignored, ...rest } = options;
  return (expectedRevision === undefined ? rest : { ...rest, expectedRevision }) as T;
}
