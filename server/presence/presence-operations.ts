import {
  documentCloseRequestSchema,
  documentOpenRequestSchema,
  objectStatusRequestSchema,
  presenceListRequestSchema,
  presenceUpdateRequestSchema,
  realmRequestSchema,
  type DocumentRef,
} from '../../shared/index.js';
import { docResource, objectResource, userResource } from '../auth/permissions.js';
import type { ResolvedLimits } from '../config.js';
import { defineOperation, type SocketOperationContext } from '../kernel/operation.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import { setKeyOf, type PresenceSetRef } from './presence-set.js';
import type { PresenceService } from './presence-service.js';

/**
 * `presence:list`, `presence:update`, `presence:status`, `document:open`, `document:close`, and
 * the REST-only connection count.
 *
 * Reading a set's presence, updating one's state in it and opening a document (appearing in its
 * presence) need `P` on the set's resource (`channel/<name>` or `doc/<service>/<id>`); an object's
 * data-provider status needs `P` on `object/<id>`, the realm's connection count `P` on `user/*`.
 * Closing needs nothing but a granted realm. Updating, opening and closing count against the
 * `presence` rate limits; reading presence does not.
 *
 * @example
 * const operations = presenceOperations(presence, limits);
 */
export function presenceOperations(presence: PresenceService, limits: ResolvedLimits) {
  const list = defineOperation({
    name: 'presence:list',
    input: presenceListRequestSchema,
    requires: (request) => [{ resource: setKeyOf(setOf(request)), right: 'P' }],
    run: async (request, { realm }) => ({ realm, members: await presence.members(realm, setOf(request)) }),
  });

  const update = defineOperation({
    name: 'presence:update',
    input: presenceUpdateRequestSchema,
    rateLimit: 'presence',
    requires: (request) => [{ resource: setKeyOf(setOf(request)), right: 'P' }],
    run: async (request, { realm, socket }: SocketOperationContext) => {
      assertPayloadSize(request.state, limits.maxPresenceStateBytes, 'state');
      return { realm, member: await presence.update(socket, realm, setOf(request), request.state) };
    },
  });

  const status = defineOperation({
    name: 'presence:status',
    input: objectStatusRequestSchema,
    requires: ({ id }) => [{ resource: objectResource(id), right: 'P' }],
    run: ({ id }, { realm }) => presence.objectPresence(realm, id),
  });

  const open = defineOperation({
    name: 'document:open',
    input: documentOpenRequestSchema,
    rateLimit: 'presence',
    requires: ({ document }) => [{ resource: docResource(document.service, document.id), right: 'P' }],
    run: async (request, { realm, socket }: SocketOperationContext) => {
      const { service, id } = request.document;
      if (request.state !== undefined) assertPayloadSize(request.state, limits.maxPresenceStateBytes, 'state');
      const outcome = await presence.join(socket, realm, { kind: 'document', service, id }, { visible: true, state: request.state ?? {} });
      return { realm, document: { service, id }, member: outcome.member, members: outcome.members ?? [] };
    },
  });

  const close = defineOperation({
    name: 'document:close',
    input: documentCloseRequestSchema,
    rateLimit: 'presence',
    run: async ({ document }, { realm, socket }: SocketOperationContext) => {
      const { service, id } = document;
      return { realm, document: { service, id }, closed: await presence.leave(socket, realm, { kind: 'document', service, id }) };
    },
  });

  /** `GET /api/socket/connections`: how many connections are granted the realm. */
  const connections = defineOperation({
    name: 'connections:count',
    input: realmRequestSchema,
    requires: () => [{ resource: userResource('*'), right: 'P' }],
    run: async (_request, { realm }) => ({ count: await presence.connectionCount(realm) }),
  });

  return {
    'presence:list': list,
    'presence:update': update,
    'presence:status': status,
    'document:open': open,
    'document:close': close,
    connections,
  } as const;
}

function setOf(request: { channel?: string | undefined; document?: DocumentRef | undefined }): PresenceSetRef {
  if (request.channel !== undefined) return { kind: 'channel', name: request.channel };
  const document = request.document as DocumentRef;
  return { kind: 'document', service: document.service, id: document.id };
}
