import { Router } from 'express';
import { assertCan, docResource, objectResource, resolveRealm } from '../auth/permissions.js';
import type { PresenceService } from '../presence/presence-service.js';
import { documentRefSchema, objectIdSchema } from '../validation/channel-schemas.js';
import { parseInput } from '../validation/parse-input.js';
import { principalOf, requireAuth } from './authenticate.js';
import { queryRealm } from './socket-routes.js';

/**
 * `/api/presence/*`:
 *
 * - `GET /presence/objects/:id`: `{ id, connectionStatus, providerCount }`, the data-provider
 *   presence of an object (needs `P` on `object/<id>`). Ids hold `/`; send them as they are
 *   (`/api/presence/objects/riders/7`) or encoded (`riders%2F7`).
 * - `GET /presence/documents/:service/:id/members`: who has a document open (needs `P` on
 *   `doc/<service>/<id>`).
 *
 * @example
 * app.use('/api', presenceRoutes(presence));
 */
export function presenceRoutes(presence: PresenceService): Router {
  const router = Router();

  router.get('/presence/objects/*id', requireAuth, async (req, res) => {
    const principal = principalOf(res);
    const raw = (req.params as { id?: string | string[] }).id;
    const id = parseInput(objectIdSchema, Array.isArray(raw) ? raw.join('/') : raw, 'object id');
    const realm = resolveRealm(principal, queryRealm(req));
    assertCan(principal, realm, objectResource(id), 'P');
    res.json(await presence.objectPresence(realm, id));
  });

  router.get('/presence/documents/:service/:id/members', requireAuth, async (req, res) => {
    const principal = principalOf(res);
    const { service, id } = parseInput(documentRefSchema, { service: req.params.service, id: req.params.id }, 'document');
    const realm = resolveRealm(principal, queryRealm(req));
    assertCan(principal, realm, docResource(service, id), 'P');
    res.json(await presence.members(realm, { kind: 'document', service, id }));
  });

  return router;
}
