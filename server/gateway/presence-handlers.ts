import type { Logger } from 'pino';
import { assertCan, docResource, objectResource, resolveRealm } from '../auth/permissions.js';
import type { ResolvedLimits } from '../config.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { setKeyOf, type PresenceSetRef } from '../presence/presence-set.js';
import type { PresenceService } from '../presence/presence-service.js';
import {
  documentCloseSchema,
  documentOpenSchema,
  objectStatusSchema,
  presenceListSchema,
  presenceUpdateSchema,
} from '../validation/channel-schemas.js';
import { assertPayloadSize } from '../validation/payload-size.js';
import { onRequest } from './request-handler.js';
import type { RealtimeSocket } from '../socket-types.js';

/** What the presence handlers need from the gateway. */
export interface PresenceHandlerContext {
  logger: Logger;
  limits: ResolvedLimits;
  rateLimits: RateLimits;
  presence: PresenceService;
}

/**
 * Removes the connection from presence on disconnect (the gateway registered it, with its `dpv`
 * data providers, during the handshake), and registers `presence:list`, `presence:update`,
 * `presence:status`, `document:open` and `document:close`.
 *
 * Reading a set's presence, updating one's state in it and opening a document (appearing in its
 * presence) need `P` on the set's resource (`channel/<name>` or `doc/<service>/<id>`); an object's
 * data-provider status needs `P` on `object/<id>`. Closing needs nothing but a granted realm.
 * Updating, opening and closing count against the `presence` rate limits (see RateLimits), checked
 * first; reading presence does not.
 *
 * @example
 * registerPresenceHandlers(socket, { logger, limits, rateLimits, presence });
 */
export function registerPresenceHandlers(socket: RealtimeSocket, context: PresenceHandlerContext): void {
  const { logger, limits, rateLimits, presence } = context;
  socket.on('disconnect', () => presence.disconnect(socket.id));

  onRequest(socket, logger, 'presence:list', presenceListSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    const set = setOf(request);
    assertCan(principal, realm, setKeyOf(set), 'P');
    return { realm, members: await presence.members(realm, set) };
  });

  onRequest(socket, logger, 'presence:update', presenceUpdateSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('presence', principal, realm, socket.id);
    const set = setOf(request);
    assertCan(principal, realm, setKeyOf(set), 'P');
    assertPayloadSize(request.state, limits.maxPresenceStateBytes, 'state');
    return { realm, member: await presence.update(socket, realm, set, request.state) };
  });

  onRequest(socket, logger, 'presence:status', objectStatusSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    assertCan(principal, realm, objectResource(request.id), 'P');
    return presence.objectPresence(realm, request.id);
  });

  onRequest(socket, logger, 'document:open', documentOpenSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('presence', principal, realm, socket.id);
    const { service, id } = request.document;
    assertCan(principal, realm, docResource(service, id), 'P');
    if (request.state !== undefined) assertPayloadSize(request.state, limits.maxPresenceStateBytes, 'state');
    const outcome = await presence.join(socket, realm, { kind: 'document', service, id }, {
      visible: true,
      state: request.state ?? {},
    });
    return { realm, document: { service, id }, member: outcome.member, members: outcome.members ?? [] };
  });

  onRequest(socket, logger, 'document:close', documentCloseSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('presence', principal, realm, socket.id);
    const { service, id } = request.document;
    const closed = await presence.leave(socket, realm, { kind: 'document', service, id });
    return { realm, document: { service, id }, closed };
  });
}

function setOf(request: { channel?: string | undefined; document?: { service: string; id: string } | undefined }): PresenceSetRef {
  if (request.channel !== undefined) return { kind: 'channel', name: request.channel };
  const document = request.document as { service: string; id: string };
  return { kind: 'document', service: document.service, id: document.id };
}
