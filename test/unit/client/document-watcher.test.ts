import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../../client/realtime-client.js';
import type { RealtimeEvent, SubscribeRequest, SyncDocument } from '../../../shared/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer } from '../../support/fake-realtime-server.js';
import { eventually } from '../../support/client-managers.js';

let server: FakeRealtimeServer;
let client: RealtimeClient | undefined;
/** What the fake answers a resubscription (`since`) of each topic: `recovered`, or not. */
let recovers: (topic: string) => boolean;
/** The document the fake answers `sync:get` with. */
let stored: SyncDocument;
/** What the fake replays to a resubscription of a topic, before answering it (as the server does). */
let replays: (topic: string) => RealtimeEvent[];

function note(revision: number): SyncDocument {
  return { service: 'notes', id: 'n1', revision, data: { revision }, createdAt: 1, updatedAt: revision };
}

function changeEvent(revision: number, offset: string): RealtimeEvent {
  return {
    id: `evt_${offset}`,
    topic: 'sync.notes.updated',
    source: 'sync',
    type: 'sync.updated',
    payload: note(revision) as unknown as Record<string, unknown>,
    metadata: { timestamp: Date.now(), realm: 'default', epoch: 'e1', offset },
  } as RealtimeEvent;
}

beforeEach(async () => {
  server = await startFakeRealtimeServer();
  recovers = () => true;
  stored = note(1);
  replays = () => [];
  server.handle('subscribe', (request) => {
    const payload = request.payload as SubscribeRequest;
    if (payload.since !== undefined) for (const event of replays(payload.topic)) request.socket.emit('event', event);
    request.ok({
      subscriptionId: payload.subscriptionId,
      realm: payload.realm,
      topic: payload.topic,
      position: { epoch: 'e1', offset: '1-0' },
      ...(payload.since === undefined ? {} : { recovered: recovers(payload.topic) }),
    });
  });
  server.handle('sync:get', (request) => request.ok(stored));
  server.handle('topic:publish', (request) => request.ok(changeEvent(0, '0-0')));
});

afterEach(async () => {
  client?.destroy();
  client = undefined;
  await server.close();
});

function makeClient(): RealtimeClient {
  client = new RealtimeClient({
    url: server.url,
    token: 'not-a-jwt',
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    randomizationFactor: 0,
    requestTimeout: 2000,
    onWarning: () => undefined,
  });
  return client;
}

const reads = () => server.requestsOf('sync:get').length;

/**
 * Resolves once the client has handled everything the fake sent before now, and the fake has
 * received everything the client sent meanwhile: two round trips over the one connection.
 */
async function settled(c: RealtimeClient): Promise<void> {
  await c.publish('probe.one', {});
  await c.publish('probe.one', {});
}

/** Drops the connection and waits until the three change topics were re-sent and answered. */
async function reconnect(c: RealtimeClient): Promise<void> {
  const subscribes = server.requestsOf('subscribe').length;
  server.dropTransport();
  await server.waitFor(() => server.requestsOf('subscribe').length >= subscribes + 3, 5000, 'three resubscriptions');
  await eventually(() => c.connected);
  await settled(c);
}

describe('DocumentWatcher after a reconnect', () => {
  it('reads the document on the first connection, when its subscriptions had no position to resume from', async () => {
    const c = makeClient();
    const seen: number[] = [];
    c.sync.subscribe('notes', 'n1', (doc) => seen.push(doc.revision));
    await eventually(() => seen.length === 1);
    await settled(c);
    expect(reads()).toBe(1);
    expect(seen).toEqual([1]);
  });

  it('does not read the document again when every change topic reports recovered', async () => {
    const c = makeClient();
    const seen: number[] = [];
    c.sync.subscribe('notes', 'n1', (doc) => seen.push(doc.revision));
    await eventually(() => seen.length === 1);
    // Written while the client was away: the replay brings the change as an ordinary event.
    stored = note(2);
    replays = (topic) => (topic === 'sync.notes.updated' ? [changeEvent(2, '2-0')] : []);
    await reconnect(c);
    expect(seen).toEqual([1, 2]);
    replays = () => [];
    await reconnect(c);
    expect(reads()).toBe(1);
    expect(seen).toEqual([1, 2]);
  });

  it('reads the document again, once, when a change topic does not report recovered', async () => {
    const c = makeClient();
    const seen: number[] = [];
    c.sync.subscribe('notes', 'n1', (doc) => seen.push(doc.revision));
    await eventually(() => seen.length === 1);
    recovers = (topic) => topic !== 'sync.notes.deleted';
    stored = note(3);
    await reconnect(c);
    expect(reads()).toBe(2);
    recovers = () => false;
    await reconnect(c);
    expect(reads()).toBe(3); // one read for the round, not one per topic
    // The second read found nothing newer: the handler saw 1, then 3, each once.
    expect(seen).toEqual([1, 3]);
  });

  it('reads again on the next reconnect when the read after an unrecovered gap was lost with its connection', async () => {
    const c = makeClient();
    const seen: number[] = [];
    c.sync.subscribe('notes', 'n1', (doc) => seen.push(doc.revision));
    await eventually(() => seen.length === 1);
    recovers = () => false;
    server.handle('sync:get', () => undefined); // held: the connection drops before it is answered
    await reconnect(c);
    expect(reads()).toBe(2);
    server.handle('sync:get', (request) => request.ok(note(4)));
    recovers = () => true;
    await reconnect(c);
    expect(reads()).toBe(3);
    expect(seen).toEqual([1, 4]);
  });
});
