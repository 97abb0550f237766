import { Router, type Request } from 'express';
import { assertCan, can, channelResource, resolveRealm, userResource } from '../auth/permissions.js';
import type { ChannelMessenger } from '../channels/channel-messenger.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { PresenceService } from '../presence/presence-service.js';
import { broadcastSchema, channelNameSchema, directSendSchema } from '../validation/channel-schemas.js';
import { parseInput } from '../validation/parse-input.js';
import { principalOf, requestedRealm, requireAuth } from './authenticate.js';

/**
 * The realm of a REST call without a body: `?realm=`, else the `X-Realm` header, else the token's
 * only realm.
 *
 * @example
 * const realm = resolveRealm(principal, queryRealm(req));
 */
export function queryRealm(req: Request): string | undefined {
  return requestedRealm(req, typeof req.query.realm === 'string' && req.query.realm !== '' ? req.query.realm : undefined);
}

/**
 * `/api/socket/*` for backends (the reference platform's Socket REST API):
 *
 * - `GET /socket/channels`: `[{ name, memberCount }]`, the active channels the caller may read
 *   presence of (`P` on `channel/<name>`); `memberCount` counts every connection in the channel.
 * - `GET /socket/channels/:channel/members`: `[{ socketId, connectionId, userId, joinedAt, state }]`
 *   (needs `P`); lists the members that appear in presence.
 * - `GET /socket/connections`: `{ count }` of connections granted the realm (needs `P` on `user/*`).
 * - `POST /socket/broadcast`: `{ channel, event, data, realm? }` to every member (needs `C` from
 *   the `service` or `admin` role or a `per` grant: a REST caller is never a member, and the
 *   `client` role publishes only as one).
 * - `POST /socket/direct`: `{ userId | connectionId, event, data, realm? }` (needs `C` on
 *   `user/<recipient>`); `404` when the recipient has no connection in the realm.
 *
 * Both POSTs count against the `messages` rate limits (429 with `Retry-After` beyond).
 *
 * @example
 * app.use('/api', socketRoutes(presence, messenger, rateLimits));
 */
export function socketRoutes(presence: PresenceService, messenger: ChannelMessenger, rateLimits: RateLimits): Router {
  const router = Router();

  router.get('/socket/channels', requireAuth, async (req, res) => {
    const principal = principalOf(res);
    const realm = resolveRealm(principal, queryRealm(req));
    const channels = await presence.channels(realm);
    res.json(channels.filter(({ name }) => can(principal, realm, channelResource(name), 'P')));
  });

  router.get('/socket/channels/:channel/members', requireAuth, async (req, res) => {
    const principal = principalOf(res);
    const channel = parseInput(channelNameSchema, req.params.channel, 'channel');
    const realm = resolveRealm(principal, queryRealm(req));
    assertCan(principal, realm, channelResource(channel), 'P');
    const members = await presence.members(realm, { kind: 'channel', name: channel });
    res.json(members.map((member) => ({ socketId: member.connectionId, ...member })));
  });

  router.get('/socket/connections', requireAuth, async (req, res) => {
    const principal = principalOf(res);
    const realm = resolveRealm(principal, queryRealm(req));
    assertCan(principal, realm, userResource('*'), 'P');
    res.json({ count: await presence.connectionCount(realm) });
  });

  router.post('/socket/broadcast', requireAuth, async (req, res) => {
    const request = parseInput(broadcastSchema, req.body, 'broadcast');
    const principal = principalOf(res);
    const realm = resolveRealm(principal, requestedRealm(req, request.realm));
    await rateLimits.consume('messages', principal, realm);
    const message = await messenger.broadcast(principal, realm, request, { userId: principal.userId, connectionId: null });
    res.json({ realm, channel: message.channel, event: message.event, timestamp: message.timestamp });
  });

  router.post('/socket/direct', requireAuth, async (req, res) => {
    const request = parseInput(directSendSchema, req.body, 'direct message');
    const principal = principalOf(res);
    const realm = resolveRealm(principal, requestedRealm(req, request.realm));
    await rateLimits.consume('messages', principal, realm);
    const target =
      request.userId !== undefined
        ? { userId: request.userId, event: request.event, data: request.data }
        : { connectionId: request.connectionId as string, event: request.event, data: request.data };
    const recipients = await messenger.direct(principal, realm, target, { userId: principal.userId, connectionId: null });
    res.json({ realm, recipients });
  });

  return router;
}
