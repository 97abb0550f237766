import { Router, type Request } from 'express';
import { InvalidArgumentError } from '../../shared/index.js';
import { bodyOf, bodyWithPath, restOperation } from '../kernel/rest-requests.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { areaOperations } from './area-operations.js';
import type { objectOperations } from './object-operations.js';
import type { pubsubOperations } from './pubsub-operations.js';
import type { realmOperations } from './realm-operations.js';

/** The operations the REST routes run. */
export interface ObjectRouteOperations {
  realms: ReturnType<typeof realmOperations>;
  objects: ReturnType<typeof objectOperations>;
  areas: ReturnType<typeof areaOperations>;
  pubsub: ReturnType<typeof pubsubOperations>;
}

/**
 * Realms, objects, areas, history, search and pub/sub over REST, for backends: the same
 * operations (schemas, permissions, rate limits, feeds) as the socket events. Ids holding `/` are
 * URL-encoded in the path (`deliveryRiders%2F7`). Creates answer `201`.
 *
 * - `GET /realms`, `POST /realms` `{ realm, label?, data? }`; `GET|PATCH|DELETE /realms/:realm`
 * - `GET /realms/:realm/objects?where=…&where=…&shape=<JSON>&area=&field=&limit=`, `POST /realms/:realm/objects/query` (the same as a body)
 * - `GET|POST|PATCH|PUT|DELETE /realms/:realm/objects/:id` (get, create, update, set, delete)
 * - `GET /realms/:realm/areas`, `GET|POST|PATCH|DELETE /realms/:realm/areas/:id`
 * - `GET /realms/:realm/history/:id?start=&end=&limit=` (Unix ms or ISO 8601, inclusive)
 * - `GET /realms/:realm/search?query=&fields=id,label&maxObjectResults=&maxAreaResults=`
 * - `POST /realms/:realm/pubsub/:event` `{ id, data }`
 *
 * @example
 * app.use('/api', objectRoutes(operations, rateLimits));
 */
export function objectRoutes(operations: ObjectRouteOperations, rateLimits: RateLimits): Router {
  const { realms, objects, areas, pubsub } = operations;
  const router = Router();
  const realm = (req: Request) => ({ realm: req.params.realm });
  const entity = (req: Request) => ({ realm: req.params.realm, id: req.params.id });
  const created = { respond: (res: import('express').Response, result: unknown) => void res.status(201).json(result) };

  router.get('/realms', ...restOperation(realms['realm:list'], rateLimits, { input: () => ({}) }));
  router.post('/realms', ...restOperation(realms['realm:create'], rateLimits, { input: bodyOf, ...created }));
  router.get('/realms/:realm', ...restOperation(realms['realm:get'], rateLimits, { input: realm }));
  router.patch('/realms/:realm', ...restOperation(realms['realm:update'], rateLimits, { input: (req) => bodyWithPath(req, realm(req)) }));
  router.delete('/realms/:realm', ...restOperation(realms['realm:delete'], rateLimits, { input: realm }));

  router.get('/realms/:realm/objects', ...restOperation(objects['object:list'], rateLimits, { input: (req) => ({ ...listQuery(req), ...realm(req) }) }));
  router.post('/realms/:realm/objects/query', ...restOperation(objects['object:list'], rateLimits, { input: (req) => bodyWithPath(req, realm(req)) }));
  router.get('/realms/:realm/objects/:id', ...restOperation(objects['object:get'], rateLimits, { input: entity }));
  router.post(
    '/realms/:realm/objects/:id',
    ...restOperation(objects['object:create'], rateLimits, { input: (req) => bodyWithPath(req, entity(req)), ...created }),
  );
  router.patch('/realms/:realm/objects/:id', ...restOperation(objects['object:update'], rateLimits, { input: (req) => bodyWithPath(req, entity(req)) }));
  router.put('/realms/:realm/objects/:id', ...restOperation(objects['object:set'], rateLimits, { input: (req) => bodyWithPath(req, entity(req)) }));
  router.delete('/realms/:realm/objects/:id', ...restOperation(objects['object:delete'], rateLimits, { input: entity }));

  router.get('/realms/:realm/areas', ...restOperation(areas['area:list'], rateLimits, { input: realm }));
  router.get('/realms/:realm/areas/:id', ...restOperation(areas['area:get'], rateLimits, { input: entity }));
  router.post('/realms/:realm/areas/:id', ...restOperation(areas['area:create'], rateLimits, { input: (req) => bodyWithPath(req, entity(req)), ...created }));
  router.patch('/realms/:realm/areas/:id', ...restOperation(areas['area:update'], rateLimits, { input: (req) => bodyWithPath(req, entity(req)) }));
  router.delete('/realms/:realm/areas/:id', ...restOperation(areas['area:delete'], rateLimits, { input: entity }));

  router.get(
    '/realms/:realm/history/:id',
    ...restOperation(objects['object:history'], rateLimits, {
      input: (req) => ({ ...entity(req), start: timeParam(req.query.start), end: timeParam(req.query.end), limit: numberParam(req.query.limit) }),
    }),
  );
  router.get(
    '/realms/:realm/search',
    ...restOperation(realms['realm:search'], rateLimits, {
      input: (req) => ({
        ...realm(req),
        query: req.query.query,
        fields: typeof req.query.fields === 'string' ? req.query.fields.split(',') : req.query.fields,
        maxObjectResults: numberParam(req.query.maxObjectResults),
        maxAreaResults: numberParam(req.query.maxAreaResults),
      }),
    }),
  );
  router.post(
    '/realms/:realm/pubsub/:event',
    ...restOperation(pubsub['pubsub:publish'], rateLimits, { input: (req) => bodyWithPath(req, { ...realm(req), event: req.params.event }) }),
  );
  return router;
}

/** `object:list` from a query string: `where` repeated, `field` repeated, `shape` and `target` as JSON. */
function listQuery(req: Request): Record<string, unknown> {
  const { where, field, shape, target, area, limit } = req.query;
  const input: Record<string, unknown> = {};
  if (where !== undefined) input.where = Array.isArray(where) ? where : [where];
  if (field !== undefined) input.field = Array.isArray(field) ? field : [field];
  if (shape !== undefined) input.shape = jsonParam('shape', shape);
  if (target !== undefined) input.target = jsonParam('target', target);
  if (area !== undefined) input.area = area;
  if (limit !== undefined) input.limit = numberParam(limit);
  return input;
}

function jsonParam(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new InvalidArgumentError(`${name} must be JSON, e.g. ${name}={"cx":-0.12,"cy":51.5,"r":500}`, {
      details: { issues: [{ path: name, message: `${name} must be JSON` }] },
    });
  }
}

/** `?limit=20` as a number (a non-number stays as given, for the schema to refuse). */
function numberParam(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** A time bound: Unix ms digits as a number, anything else (ISO 8601) as given. */
function timeParam(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}
