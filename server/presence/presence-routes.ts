import { Router } from 'express';
import { realmQuery, restOperation } from '../kernel/rest-requests.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { presenceOperations } from './presence-operations.js';

/**
 * Presence over REST, for backends:
 *
 * - `GET /presence/objects/:id`: `{ id, connectionStatus, providerCount }`, the data-provider
 *   presence of an object (needs `P` on `object/<id>`). Ids hold `/`; send them as they are
 *   (`/api/presence/objects/riders/7`) or encoded (`riders%2F7`).
 * - `GET /presence/documents/:service/:id/members`: who has a document open (needs `P` on
 *   `doc/<service>/<id>`).
 * - `GET /socket/channels/:channel/members`: `[{ socketId, connectionId, userId, joinedAt, state }]`
 *   (needs `P`); the members that appear in the channel's presence.
 * - `GET /socket/connections`: `{ count }` of connections granted the realm (needs `P` on `user/*`).
 *
 * @example
 * app.use('/api', presenceRoutes(presenceOperations(presence, limits), rateLimits));
 */
export function presenceRoutes(operations: ReturnType<typeof presenceOperations>, rateLimits: RateLimits): Router {
  const router = Router();
  router.get(
    '/presence/objects/*id',
    ...restOperation(operations['presence:status'], rateLimits, {
      input: (req) => {
        const raw = (req.params as { id?: string | string[] }).id;
        return { realm: realmQuery(req), id: Array.isArray(raw) ? raw.join('/') : raw };
      },
    }),
  );
  router.get(
    '/presence/documents/:service/:id/members',
    ...restOperation(operations['presence:list'], rateLimits, {
      input: (req) => ({ realm: realmQuery(req), document: { service: req.params.service, id: req.params.id } }),
      respond: (res, { members }) => res.json(members),
    }),
  );
  router.get(
    '/socket/channels/:channel/members',
    ...restOperation(operations['presence:list'], rateLimits, {
      input: (req) => ({ realm: realmQuery(req), channel: req.params.channel }),
      respond: (res, { members }) => res.json(members.map((member) => ({ socketId: member.connectionId, ...member }))),
    }),
  );
  router.get('/socket/connections', ...restOperation(operations.connections, rateLimits, { input: (req) => ({ realm: realmQuery(req) }) }));
  return router;
}
