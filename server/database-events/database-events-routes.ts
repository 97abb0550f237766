import { Router, type Request, type Response } from 'express';
import { ForbiddenError, InvalidArgumentError, NotFoundError, realmColumn, type Principal } from '../../shared/index.js';
import { isAdmin, isPlatformAdmin, resolveRealm } from '../auth/permissions.js';
import { principalOf, requestedRealm, requireAuth } from '../http/authenticate.js';
import { parseZodInput } from '../http/parse-zod-input.js';
import { documentBodies } from '../http/route-docs.js';
import { accessIn, authorize } from '../kernel/access.js';
import type { DatabaseEvents } from './database-events.js';
import type { StoredMapping } from './database-mappings.js';
import { createMappingSchema, mappingIdParam, mappingsQuery, updateMappingSchema } from './mapping-schemas.js';

/**
 * `/api/database/mappings`: the mappings from tables to topics, and the state of the sources.
 *
 * Tenant isolation: a mapping with a fixed realm is its realm's, managed by that realm's admins
 * and seen by no one else (another realm's mapping answers NOT_FOUND, so ids reveal nothing); a
 * mapping whose realm comes from a column (`"realm": "$row.tenant"`) writes into any realm a row
 * names, so only a platform admin (`realms: ['*']`, role admin) creates, sees or changes one.
 *
 * - `POST /database/mappings` → 201; `GET /database/mappings`; `GET /database/mappings/:id`
 * - `PATCH /database/mappings/:id`; `DELETE /database/mappings/:id` → 204
 * - `GET /database/mappings/topic/:topic`; `GET /database/mappings/status`
 *
 * @example
 * app.use('/api', databaseEventsRoutes(databaseEvents));
 */
export function databaseEventsRoutes(events: DatabaseEvents): Router {
  const router = Router();
  const { mappings } = events;

  router.post('/database/mappings', requireAuth, async (req, res) => {
    const input = parseZodInput(createMappingSchema, req.body ?? {}, 'mapping');
    const principal = principalOf(res);
    let realm: string;
    if (input.realm !== undefined && realmColumn(input.realm) !== undefined) {
      if (!isPlatformAdmin(principal)) {
        await authorize(accessIn(principal, resolveRealm(principal, requestedRealm(req))), ['admin']);
        throw forbiddenColumnRealm();
      }
      realm = input.realm;
    } else {
      realm = resolveRealm(principal, requestedRealm(req, input.realm));
      await authorize(accessIn(principal, realm), ['admin']);
    }
    const mapping = await mappings.create({ ...input, realm });
    res.status(201).location(`${req.baseUrl}/database/mappings/${mapping.id}`).json(mapping);
  });

  router.get('/database/mappings', requireAuth, async (req, res) => {
    const visible = await visibility(req, res);
    res.json({
      items: mappings
        .all()
        .filter(visible)
        .map((mapping) => mappings.view(mapping)),
    });
  });

  router.get('/database/mappings/status', requireAuth, async (req, res) => {
    res.json(await events.status(await visibility(req, res)));
  });

  router.get('/database/mappings/topic/:topic', requireAuth, async (req, res) => {
    const visible = await visibility(req, res);
    const topic = req.params.topic;
    res.json({
      items: mappings
        .all()
        .filter((mapping) => mapping.topic === topic && visible(mapping))
        .map((mapping) => mappings.view(mapping)),
    });
  });

  router.get('/database/mappings/:id', requireAuth, async (req, res) => {
    res.json(mappings.view(await manageable(req, res)));
  });

  router.patch('/database/mappings/:id', requireAuth, async (req, res) => {
    const mapping = await manageable(req, res);
    const { realm, ...update } = parseZodInput(updateMappingSchema, req.body ?? {}, 'mapping update');
    if (realm !== undefined && realm !== mapping.realm) {
      throw new InvalidArgumentError('A mapping stays in its realm: create a new one for another realm', {
        details: { issues: [{ path: 'realm', message: 'cannot change' }] },
      });
    }
    res.json(await mappings.update(mapping.id, update));
  });

  router.delete('/database/mappings/:id', requireAuth, async (req, res) => {
    const mapping = await manageable(req, res);
    await mappings.delete(mapping.id);
    res.status(204).end();
  });

  /** The mapping of the path, if the caller may manage it; NOT_FOUND as for a missing one otherwise. */
  async function manageable(req: Request, res: Response): Promise<StoredMapping> {
    const id = parseZodInput(mappingIdParam, req.params['id'], 'id');
    const mapping = await mappings.get(id);
    const principal = principalOf(res);
    if (!mayManage(principal, mapping)) throw new NotFoundError(`Database mapping "${id}" does not exist`, { details: { id } });
    return mapping;
  }

  documentBodies(router, {
    'POST /database/mappings': createMappingSchema,
    'PATCH /database/mappings/:id': updateMappingSchema,
  });
  return router;
}

/**
 * Which mappings a GET shows: a platform admin's call without a realm sees every mapping; any
 * other call names (or defaults to) one realm it administers and sees that realm's.
 */
async function visibility(req: Request, res: Response): Promise<(mapping: StoredMapping) => boolean> {
  const principal = principalOf(res);
  const given = requestedRealm(req, parseZodInput(mappingsQuery, req.query, 'query').realm);
  if (given === undefined && isPlatformAdmin(principal)) return () => true;
  const realm = resolveRealm(principal, given);
  await authorize(accessIn(principal, realm), ['admin']);
  return (mapping) => mapping.realm === realm;
}

function mayManage(principal: Principal, mapping: StoredMapping): boolean {
  if (realmColumn(mapping.realm) !== undefined) return isPlatformAdmin(principal);
  return isAdmin(principal, mapping.realm);
}

function forbiddenColumnRealm(): ForbiddenError {
  return new ForbiddenError(
    'A mapping whose realm comes from a column writes into every realm its rows name: only a platform admin (realms ["*"], role admin) creates one',
  );
}
