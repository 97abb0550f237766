import { describe, expectTypeOf, it, expect } from 'vitest';
import {
  CLIENT_EVENT_NAMES,
  type Ack,
  type ChannelJoinRequest,
  type ChannelJoinResult,
  type ChannelMessageRelay,
  type ChannelMessage,
  type DirectSendRequest,
  type DirectSendResult,
  type PresenceEvent,
  type ClientToServerEvents,
  type InterServerEvents,
  type PublishRequest,
  type RealtimeEvent,
  type ServerToClientEvents,
  type SessionOpened,
  type SubscribeRequest,
  type SubscribeResult,
  type SyncWriteResult,
  type WriteDocumentRequest,
  type LoginResult,
  type BatchRequest,
  type BatchResult,
  type MakeRpcRequest,
  type MakeRpcResult,
  type RpcCallOffer,
  type RpcOfferAnswer,
} from '../../shared/index.js';

describe('wire contract', () => {
  it('pins the client-to-server event map', () => {
    expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<
      | 'subscribe'
      | 'unsubscribe'
      | 'topic:publish'
      | 'auth:refresh'
      | 'sync:create'
      | 'sync:get'
      | 'sync:list'
      | 'sync:replace'
      | 'sync:merge'
      | 'sync:mutate'
      | 'sync:delete'
      | 'channel:join'
      | 'channel:leave'
      | 'channel:publish'
      | 'direct:send'
      | 'presence:list'
      | 'presence:update'
      | 'presence:status'
      | 'document:open'
      | 'document:close'
      | 'realm:get'
      | 'realm:create'
      | 'realm:update'
      | 'realm:list'
      | 'realm:delete'
      | 'realm:search'
      | 'object:create'
      | 'object:update'
      | 'object:set'
      | 'object:get'
      | 'object:delete'
      | 'object:list'
      | 'object:history'
      | 'area:create'
      | 'area:update'
      | 'area:get'
      | 'area:list'
      | 'area:delete'
      | 'objects:subscribe'
      | 'areas:subscribe'
      | 'realms:subscribe'
      | 'feed:update'
      | 'feed:cancel'
      | 'pubsub:publish'
      | 'pubsub:subscribe'
      | 'pubsub:unsubscribe'
      | 'auth:login'
      | 'sys:ping'
      | 'batch'
      | 'rpc:provide'
      | 'rpc:unprovide'
      | 'rpc:make'
      | 'rpc:respond'
      | 'listen:add'
      | 'listen:remove'
      | 'listen:has-provider'
      | 'users:subscribe'
      | 'users:unsubscribe'
      | 'users:get'
      | 'record:subscribe'
      | 'record:unsubscribe'
    >();
    expectTypeOf<ClientToServerEvents['auth:login']>().toEqualTypeOf<
      (request: { token: string } | { params: Record<string, unknown> }, ack: Ack<LoginResult>) => void
    >();
    expectTypeOf<ClientToServerEvents['batch']>().toEqualTypeOf<(request: BatchRequest, ack: Ack<BatchResult>) => void>();
    expectTypeOf<ClientToServerEvents['rpc:make']>().toEqualTypeOf<(request: MakeRpcRequest, ack: Ack<MakeRpcResult>) => void>();
    expectTypeOf<ClientToServerEvents['channel:join']>().toEqualTypeOf<(request: ChannelJoinRequest, ack: Ack<ChannelJoinResult>) => void>();
    expectTypeOf<ClientToServerEvents['direct:send']>().toEqualTypeOf<(request: DirectSendRequest, ack: Ack<DirectSendResult>) => void>();
    expectTypeOf<ClientToServerEvents['sync:merge']>().toEqualTypeOf<(request: WriteDocumentRequest, ack: Ack<SyncWriteResult>) => void>();
    expectTypeOf<ClientToServerEvents['subscribe']>().toEqualTypeOf<(request: SubscribeRequest, ack: Ack<SubscribeResult>) => void>();
    expectTypeOf<ClientToServerEvents['topic:publish']>().toEqualTypeOf<(request: PublishRequest, ack: Ack<RealtimeEvent>) => void>();
    // The runtime list of known events is exactly the map's keys.
    expectTypeOf<(typeof CLIENT_EVENT_NAMES)[number]>().toEqualTypeOf<keyof ClientToServerEvents>();
    expect(new Set(CLIENT_EVENT_NAMES).size).toBe(CLIENT_EVENT_NAMES.length);
  });

  it('pins the server-to-client and inter-server maps', () => {
    expectTypeOf<keyof ServerToClientEvents>().toEqualTypeOf<
      | 'event'
      | 'auth:expired'
      | 'subscription:revoked'
      | 'protocol:error'
      | 'channel:message'
      | 'direct:message'
      | 'presence:changed'
      | 'channel:revoked'
      | 'document:revoked'
      | 'session:opened'
      | 'feed:data'
      | 'pubsub:message'
      | 'rpc:request'
      | 'listen:offer'
      | 'listen:stop'
      | 'listen:provider'
      | 'users:changed'
    >();
    expectTypeOf<ServerToClientEvents['rpc:request']>().toEqualTypeOf<(offer: RpcCallOffer, ack: (answer: RpcOfferAnswer) => void) => void>();
    expectTypeOf<ServerToClientEvents['session:opened']>().toEqualTypeOf<(session: SessionOpened) => void>();
    expectTypeOf<SessionOpened['limits']>().toEqualTypeOf<{
      maxPayloadBytes: number;
      maxPresenceStateBytes: number;
      maxPayloadDepth: number;
      maxFrameBytes: number;
      maxBatchEntries: number;
      maxBatchBytes: number;
    }>();
    expectTypeOf<SessionOpened['user']>().toEqualTypeOf<{ userId: string; realms: string[]; expiresAt: number } | undefined>();
    expectTypeOf<LoginResult>().toExtend<{ serverVersion: string; serverBuildDate: string; userId: string }>();
    expectTypeOf<ServerToClientEvents['channel:message']>().toEqualTypeOf<(message: ChannelMessage) => void>();
    expectTypeOf<ServerToClientEvents['presence:changed']>().toEqualTypeOf<(event: PresenceEvent) => void>();
    expectTypeOf<ServerToClientEvents['event']>().toEqualTypeOf<(event: RealtimeEvent) => void>();
    expectTypeOf<keyof InterServerEvents>().toEqualTypeOf<
      'topic:event' | 'channel:message' | 'objects:change' | 'rpc:response' | 'rpc:provider-lost' | 'registry:changed' | 'keys:changed' | 'listening:rooms'
    >();
    expectTypeOf<InterServerEvents['channel:message']>().toEqualTypeOf<(relay: ChannelMessageRelay) => void>();
    expectTypeOf<keyof ChannelJoinResult>().toEqualTypeOf<'realm' | 'channel' | 'member' | 'presence' | 'members' | 'position' | 'recovered'>();
  });
});
