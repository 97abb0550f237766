import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClient } from '../../client/index.js';
import type { FeedUpdate } from '../../client/objects/feed.js';
import {
  AlreadyExistsError,
  ConflictError,
  ErrorCode,
  ForbiddenError,
  InvalidArgumentError,
  type PubsubMessage,
  type RealmObject,
  type RealtimeError,
} from '../../shared/index.js';
import { eventually } from '../support/client-managers.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { stateReached } from '../support/wait.js';

let t: TestServer;
let service: RealtimeClient;

beforeAll(async () => {
  t = await startTestServer();
  service = t.client({ token: await t.token({ sub: 'backend', realms: ['berlin', 'oslo'], permissions: ['service'] }) });
  await service.realms.create('berlin', { label: 'Berlin' });
});
afterAll(() => t.close());

function serverSocketsOf(userId: string) {
  return [...t.server.io.of('/').sockets.values()].filter((socket) => socket.data.principal?.userId === userId);
}

describe('RealtimeClient objects, areas, realms, pub/sub and search against the real server', () => {
  it('writes, reads, lists, searches and reads back history', async () => {
    const berlin = service.realm('berlin');
    const created = await berlin.objects.create('scooter/1', {
      label: 'Red scooter',
      location: { latitude: 52.52, longitude: 13.405 },
      data: { type: 'scooter', charge: 0.9 },
    });
    expect(created).toMatchObject({ id: 'scooter/1', label: 'Red scooter', data: { type: 'scooter', charge: 0.9 }, connectionStatus: 'disconnected' });
    await expect(berlin.objects.create('scooter/1', {})).rejects.toSatisfy((err) => err instanceof ConflictError || err instanceof AlreadyExistsError);
    await berlin.objects.update('scooter/1', { data: { charge: 0.5 } });
    expect((await berlin.objects.get('scooter/1')).data).toEqual({ type: 'scooter', charge: 0.5 });
    await berlin.objects.create('bike/1', { label: 'Blue bike', location: { latitude: 52.6, longitude: 13.3 }, data: { type: 'bike' } });
    expect(Object.keys(await berlin.objects.list({ where: ['type="scooter"'] }))).toEqual(['scooter/1']);
    expect(Object.keys(await berlin.objects.list({ shape: { cx: 13.405, cy: 52.52, r: 500 } }))).toEqual(['scooter/1']);
    const hits = await berlin.search('red');
    expect(hits).toContainEqual(expect.objectContaining({ id: 'scooter/1', type: 'object', field: 'label' }));
    const history = await berlin.objects.history('scooter/1', { start: new Date(0), end: new Date(Date.now() + 60_000) });
    expect(history.map((entry) => entry.data)).toEqual([
      { type: 'scooter', charge: 0.9 },
      { type: 'scooter', charge: 0.5 },
    ]);
    await berlin.areas.create('centre', { label: 'Centre', shape: { cx: 13.405, cy: 52.52, r: 1000 } });
    expect(await berlin.areas.get('centre')).toMatchObject({ id: 'centre', shape: 'circle' });
    expect(Object.keys(await berlin.areas.list())).toEqual(['centre']);
    expect((await service.realms.get('berlin')).label).toBe('Berlin');
    await expect(berlin.objects.get('nope/1')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(berlin.objects.get('bad id')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('object.set is fire-and-forget and a refused one reaches the error event; the connection stays usable', async () => {
    const rider = t.client({ token: await t.token({ sub: 'rider-set', realm: 'berlin' }) });
    const errors: RealtimeError[] = [];
    rider.on('error', (error) => errors.push(error));
    rider.objects.set('scooter/1', { data: { charge: 0 } });
    await eventually(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(ForbiddenError);
    expect(errors[0]?.details).toMatchObject({ event: 'object:set' });
    service.realm('berlin').objects.set('scooter/2', { location: { latitude: 52.521, longitude: 13.406 }, data: { type: 'scooter' } });
    await expect.poll(async () => Object.keys(await rider.objects.list({ where: ['type="scooter"'] }))).toContain('scooter/2');
  });

  it('a feed follows its set, and after the server drops the connection subscribes again and gets a fresh full set', async () => {
    const watcher = t.client({ token: await t.token({ sub: 'watcher', realm: 'berlin' }) });
    const updates: FeedUpdate<RealmObject>[] = [];
    const feed = await watcher.objects.subscribe({ shape: { cx: 13.405, cy: 52.52, r: 2000 } }, (update) => updates.push(update));
    await eventually(() => updates.length >= 1);
    expect(updates[0]?.kind).toBe('full');
    expect(feed.items.has('scooter/1')).toBe(true);
    await service.realm('berlin').objects.update('bike/1', { location: { latitude: 52.521, longitude: 13.404 } });
    await eventually(() => feed.items.has('bike/1'), 5000, 'the bike moving in');

    for (const socket of serverSocketsOf('watcher')) socket.disconnect(true);
    await stateReached(watcher, 'reconnecting');
    // Meanwhile the bike leaves: the fresh full set after the reconnect no longer has it.
    await service.realm('berlin').objects.update('bike/1', { location: { latitude: 52.7, longitude: 13.3 } });
    const fulls = updates.length;
    await eventually(() => updates.slice(fulls).some((update) => update.kind === 'full'), 5000, 'a fresh full set');
    expect(feed.items.has('bike/1')).toBe(false);
    expect(feed.items.has('scooter/1')).toBe(true);
    await feed.cancel();
  });

  it('pub/sub: handlers by event and pattern, re-subscribed after a reconnect; messages sent while away are lost', async () => {
    const listener = t.client({ token: await t.token({ sub: 'listener', realm: 'berlin' }) });
    const scooters: PubsubMessage[] = [];
    const unsubscribe = await listener.pubsub.subscribe('alert', 'scooter/*', (message) => scooters.push(message));
    await service.realm('berlin').pubsub.publish('alert', 'scooter/1', { text: 'low battery' });
    await service.realm('berlin').pubsub.publish('alert', 'bike/1', { text: 'not for scooters' });
    await eventually(() => scooters.length === 1);
    expect(scooters[0]).toMatchObject({ realm: 'berlin', event: 'alert', id: 'scooter/1', data: { text: 'low battery' } });

    for (const socket of serverSocketsOf('listener')) socket.disconnect(true);
    await stateReached(listener, 'reconnecting');
    await service.realm('berlin').pubsub.publish('alert', 'scooter/1', { text: 'while away' });
    await stateReached(listener, 'connected');
    await eventually(() => serverSocketsOf('listener').length === 1);
    // The resubscription is in place once a message published after it arrives.
    await expect
      .poll(async () => {
        await service.realm('berlin').pubsub.publish('alert', 'scooter/1', { text: 'after' });
        return scooters.some((message) => (message.data as { text: string }).text === 'after');
      })
      .toBe(true);
    expect(scooters.map((message) => (message.data as { text: string }).text)).not.toContain('while away');
    expect(await unsubscribe()).toBe(true);
  });
});
