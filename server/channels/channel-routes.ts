import { Router } from 'express';
import { bodyOf, realmQuery, restOperation } from '../kernel/rest-requests.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { channelOperations } from './channel-operations.js';

/**
 * The channel part of `/api/socket/*` for backends (the reference platform's Socket REST API):
 *
 * - `GET /socket/channels`: `[{ name, memberCount }]`, the active channels the caller may read
 *   presence of (`P` on `channel/<name>`); `memberCount` counts every connection in the channel.
 * - `POST /socket/broadcast`: `{ channel, event, data, realm? }` to every member (needs `C` from
 *   the `service` or `admin` role or a `per` grant: a REST caller is never a member, and the
 *   `client` role publishes only as one).
 * - `POST /socket/direct`: `{ userId | connectionId, event, data, realm? }` (needs `C` on
 *   `user/<recipient>`); `404` when the recipient has no connection in the realm.
 *
 * Both POSTs count against the `messages` rate limits (429 with `Retry-After` beyond).
 *
 * @example
 * app.use('/api', channelRoutes(channelOperations(services, limits), rateLimits));
 */
export function channelRoutes(operations: ReturnType<typeof channelOperations>, rateLimits: RateLimits): Router {
  const router = Router();
  router.get('/socket/channels', ...restOperation(operations.list, rateLimits, { input: (req) => ({ realm: realmQuery(req) }) }));
  router.post('/socket/broadcast', ...restOperation(operations.broadcast, rateLimits, { input: bodyOf }));
  router.post('/socket/direct', ...restOperation(operations['direct:send'], rateLimits, { input: bodyOf }));
  return router;
}
