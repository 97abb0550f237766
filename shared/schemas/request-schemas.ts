import type * as v from 'valibot';
import type { ClientToServerEvents, RequestOf } from '../protocol.js';
import { channelJoinRequestSchema, channelLeaveRequestSchema, channelPublishRequestSchema, directSendRequestSchema } from './channel-schemas.js';
import {
  areaIdRequestSchema,
  areaSubscribeRequestSchema,
  areaWriteRequestSchema,
  feedCancelRequestSchema,
  feedUpdateRequestSchema,
  historyRequestSchema,
  objectIdRequestSchema,
  objectListRequestSchema,
  objectSubscribeRequestSchema,
  objectWriteRequestSchema,
  pubsubPublishRequestSchema,
  pubsubSubscribeRequestSchema,
  pubsubUnsubscribeRequestSchema,
  realmIdRequestSchema,
  realmListRequestSchema,
  realmSubscribeRequestSchema,
  realmWriteRequestSchema,
  searchRequestSchema,
} from './object-schemas.js';
import {
  documentCloseRequestSchema,
  documentOpenRequestSchema,
  objectStatusRequestSchema,
  presenceListRequestSchema,
  presenceUpdateRequestSchema,
} from './presence-schemas.js';
import {
  createDocumentRequestSchema,
  deleteDocumentRequestSchema,
  getDocumentRequestSchema,
  listDocumentsRequestSchema,
  mutateDocumentRequestSchema,
  writeDocumentRequestSchema,
} from './sync-schemas.js';
import { batchRequestSchema, loginRequestSchema, pingRequestSchema } from './session-schemas.js';
import { publishRequestSchema, refreshTokenRequestSchema, subscribeRequestSchema, unsubscribeRequestSchema } from './topic-schemas.js';
import { recordSubscriptionRequestSchema } from './record-schemas.js';
import { makeRpcRequestSchema, provideRpcRequestSchema, respondRpcRequestSchema, unprovideRpcRequestSchema } from './rpc-schemas.js';
import { hasProviderRequestSchema, listenRequestSchema } from './listening-schemas.js';
import { userPresenceRequestSchema } from './user-presence-schemas.js';

/**
 * The schema of every client-to-server event: the one source of each request's shape. The client
 * checks a request with it before sending, the server on arrival, and the REST routes that do the
 * same thing over HTTP use the same schema. A wire event without a schema, or with one whose
 * output differs from the event map's request type, does not compile (and
 * `test/unit/wire-schemas.test.ts` pins both directions).
 *
 * @example
 * parseInput(REQUEST_SCHEMAS['sync:merge'], request, 'sync:merge request');
 */
export const REQUEST_SCHEMAS = {
  subscribe: subscribeRequestSchema,
  unsubscribe: unsubscribeRequestSchema,
  'topic:publish': publishRequestSchema,
  'auth:refresh': refreshTokenRequestSchema,
  'sync:create': createDocumentRequestSchema,
  'sync:get': getDocumentRequestSchema,
  'sync:list': listDocumentsRequestSchema,
  'sync:replace': writeDocumentRequestSchema,
  'sync:merge': writeDocumentRequestSchema,
  'sync:mutate': mutateDocumentRequestSchema,
  'sync:delete': deleteDocumentRequestSchema,
  'channel:join': channelJoinRequestSchema,
  'channel:leave': channelLeaveRequestSchema,
  'channel:publish': channelPublishRequestSchema,
  'direct:send': directSendRequestSchema,
  'presence:list': presenceListRequestSchema,
  'presence:update': presenceUpdateRequestSchema,
  'presence:status': objectStatusRequestSchema,
  'document:open': documentOpenRequestSchema,
  'document:close': documentCloseRequestSchema,
  'realm:get': realmIdRequestSchema,
  'realm:create': realmWriteRequestSchema,
  'realm:update': realmWriteRequestSchema,
  'realm:list': realmListRequestSchema,
  'realm:delete': realmIdRequestSchema,
  'realm:search': searchRequestSchema,
  'object:create': objectWriteRequestSchema,
  'object:update': objectWriteRequestSchema,
  'object:set': objectWriteRequestSchema,
  'object:get': objectIdRequestSchema,
  'object:delete': objectIdRequestSchema,
  'object:list': objectListRequestSchema,
  'object:history': historyRequestSchema,
  'area:create': areaWriteRequestSchema,
  'area:update': areaWriteRequestSchema,
  'area:get': areaIdRequestSchema,
  'area:list': realmListRequestSchema,
  'area:delete': areaIdRequestSchema,
  'objects:subscribe': objectSubscribeRequestSchema,
  'areas:subscribe': areaSubscribeRequestSchema,
  'realms:subscribe': realmSubscribeRequestSchema,
  'feed:update': feedUpdateRequestSchema,
  'feed:cancel': feedCancelRequestSchema,
  'pubsub:publish': pubsubPublishRequestSchema,
  'pubsub:subscribe': pubsubSubscribeRequestSchema,
  'pubsub:unsubscribe': pubsubUnsubscribeRequestSchema,
  'auth:login': loginRequestSchema,
  'sys:ping': pingRequestSchema,
  batch: batchRequestSchema,
  'rpc:provide': provideRpcRequestSchema,
  'rpc:unprovide': unprovideRpcRequestSchema,
  'rpc:make': makeRpcRequestSchema,
  'rpc:respond': respondRpcRequestSchema,
  'listen:add': listenRequestSchema,
  'listen:remove': listenRequestSchema,
  'listen:has-provider': hasProviderRequestSchema,
  'users:subscribe': userPresenceRequestSchema,
  'users:unsubscribe': userPresenceRequestSchema,
  'users:get': userPresenceRequestSchema,
  'record:subscribe': recordSubscriptionRequestSchema,
  'record:unsubscribe': recordSubscriptionRequestSchema,
} as const satisfies { readonly [E in keyof ClientToServerEvents]: v.GenericSchema<unknown, RequestOf<E>> };
