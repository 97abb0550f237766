import { describe, expectTypeOf, it, expect } from 'vitest';
import {
  CLIENT_EVENT_NAMES,
  type Ack,
  type ClientToServerEvents,
  type InterServerEvents,
  type PublishRequest,
  type RealtimeEvent,
  type ServerToClientEvents,
  type SubscribeRequest,
  type SubscribeResult,
} from '../../shared/index.js';

describe('wire contract', () => {
  it('pins the client-to-server event map', () => {
    expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<'subscribe' | 'unsubscribe' | 'topic:publish' | 'auth:refresh'>();
    expectTypeOf<ClientToServerEvents['subscribe']>().toEqualTypeOf<(request: SubscribeRequest, ack: Ack<SubscribeResult>) => void>();
    expectTypeOf<ClientToServerEvents['topic:publish']>().toEqualTypeOf<(request: PublishRequest, ack: Ack<RealtimeEvent>) => void>();
    // The runtime list of known events is exactly the map's keys.
    expectTypeOf<(typeof CLIENT_EVENT_NAMES)[number]>().toEqualTypeOf<keyof ClientToServerEvents>();
    expect(new Set(CLIENT_EVENT_NAMES).size).toBe(CLIENT_EVENT_NAMES.length);
  });

  it('pins the server-to-client and inter-server maps', () => {
    expectTypeOf<keyof ServerToClientEvents>().toEqualTypeOf<'event' | 'auth:expired' | 'subscription:revoked' | 'protocol:error'>();
    expectTypeOf<ServerToClientEvents['event']>().toEqualTypeOf<(event: RealtimeEvent) => void>();
    expectTypeOf<keyof InterServerEvents>().toEqualTypeOf<'topic:event'>();
  });
});
