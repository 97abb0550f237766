import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, type RealtimeClient } from '../../client/index.js';
import type { ObjectPresence, RealtimeEvent, SubscriptionFilter } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** A service client in `realm` subscribed to `presence.status` (with `filter`), collecting events. */
async function statusWatcher(realm: string, filter?: SubscriptionFilter) {
  const client = t.client({ token: await t.token({ sub: `watcher-${realm}`, realm, permissions: ['service'] }) });
  client.subscribe({ topic: 'presence.status', ...(filter === undefined ? {} : { filter }) });
  await client.ready();
  const events = collect(client, 'event:presence.status');
  const changes = () => events.values.map((event) => `${event.payload.id} ${event.payload.connectionStatus as string}`);
  return {
    client,
    events,
    changes,
    /** Resolves once `change` (`"<id> <status>"`) has arrived. */
    until: async (change: string) => {
      while (!changes().includes(change)) await events.until(events.values.length + 1);
    },
  };
}

async function provider(sub: string, realm: string, dpv: Record<string, string[]>): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token({ sub, realm, dpv }) });
  await client.ready();
  return client;
}

async function restStatus(realm: string, path: string): Promise<{ status: number; body: ObjectPresence }> {
  const token = await t.token({ sub: 'backend', realm, permissions: ['service'] });
  const response = await fetch(`${t.url}/api/presence/objects/${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as ObjectPresence };
}

describe('data-provider presence (dpv)', () => {
  it('keeps an object connected until the last of its two providers is gone', async () => {
    const watcher = await statusWatcher('dp-two');
    const first = await provider('device-a', 'dp-two', { 'dp-two': ['riders/7', 'probe/a'] });
    await watcher.until('probe/a connected');
    const second = await provider('device-b', 'dp-two', { 'dp-two': ['riders/7', 'probe/b'] });
    await watcher.until('probe/b connected');
    expect(watcher.changes()).toEqual(['riders/7 connected', 'probe/a connected', 'probe/b connected']);

    first.disconnect();
    // probe/a's event comes from the same removal, so riders/7 has been decided by now.
    await watcher.until('probe/a disconnected');
    expect(await watcher.client.connectionStatus('riders/7')).toBe('connected');
    expect(await restStatus('dp-two', 'riders/7')).toEqual({
      status: 200,
      body: { id: 'riders/7', connectionStatus: 'connected', providerCount: 1 },
    });

    second.disconnect();
    await watcher.until('probe/b disconnected');
    expect(watcher.changes()).toEqual([
      'riders/7 connected',
      'probe/a connected',
      'probe/b connected',
      'probe/a disconnected',
      'riders/7 disconnected',
      'probe/b disconnected',
    ]);
    expect(await watcher.client.connectionStatus('riders/7')).toBe('disconnected');
    const event = watcher.events.values.find((entry) => entry.payload.id === 'riders/7') as RealtimeEvent;
    expect(event).toMatchObject({
      topic: 'presence.status',
      type: 'connectionStatusChanged',
      payload: { id: 'riders/7', connectionStatus: 'connected' },
      metadata: { realm: 'dp-two' },
    });
  });

  it('covers every id a wildcard pattern matches, and filters subscriptions with { like }', async () => {
    const all = await statusWatcher('dp-wild');
    const riders = await statusWatcher('dp-wild', { id: { like: 'riders/*' } });
    // `*` in dpv applies to every realm the token names.
    const fleet = await provider('fleet-proxy', 'dp-wild', { '*': ['riders/*'], 'dp-wild': ['cars/1'] });
    await all.until('cars/1 connected');
    expect(all.changes()).toEqual(['riders/* connected', 'cars/1 connected']);
    expect(await all.client.connectionStatus('riders/7')).toBe('connected');
    expect(await all.client.connectionStatus('riders/cyclists/9')).toBe('connected');
    expect(await all.client.connectionStatus('cars/2')).toBe('disconnected');

    // An exact provider under the live wildcard changes nothing for riders/7 (probe/x proves it).
    const phone = await provider('rider-7-phone', 'dp-wild', { 'dp-wild': ['riders/7', 'probe/x'] });
    await all.until('probe/x connected');
    expect(all.changes()).toEqual(['riders/* connected', 'cars/1 connected', 'probe/x connected']);
    expect((await restStatus('dp-wild', 'riders/7')).body.providerCount).toBe(2);

    fleet.disconnect();
    await all.until('cars/1 disconnected');
    expect(await all.client.connectionStatus('riders/7')).toBe('connected');
    expect(await all.client.connectionStatus('riders/8')).toBe('disconnected');

    phone.disconnect();
    await all.until('probe/x disconnected');
    expect(all.changes().slice(3)).toEqual(['riders/* disconnected', 'cars/1 disconnected', 'riders/7 disconnected', 'probe/x disconnected']);
    await riders.until('riders/7 disconnected');
    expect(riders.changes()).toEqual(['riders/* connected', 'riders/* disconnected', 'riders/7 disconnected']);
  });

  it('stays inside its realm', async () => {
    const london = await statusWatcher('dp-london');
    const paris = await statusWatcher('dp-paris');
    await provider('bike-1', 'dp-london', { 'dp-london': ['bikes/1'] });
    await london.until('bikes/1 connected');
    // A sentinel in paris: events there arrive in order, so nothing from london came before it.
    await provider('bike-p', 'dp-paris', { 'dp-paris': ['sentinel/p'] });
    await paris.until('sentinel/p connected');
    expect(paris.changes()).toEqual(['sentinel/p connected']);
    expect(await paris.client.connectionStatus('bikes/1')).toBe('disconnected');
    expect((await restStatus('dp-paris', 'bikes/1')).body.connectionStatus).toBe('disconnected');
    expect((await restStatus('dp-london', 'bikes/1')).body.connectionStatus).toBe('connected');
  });

  it('needs P on object/<id> to read a status', async () => {
    const plain = t.client({ token: await t.token({ sub: 'plain', realm: 'dp-perm' }) });
    const denied = await plain.connectionStatus('bikes/1').catch((err: unknown) => err);
    expect(denied).toBeInstanceOf(ForbiddenError);
    expect(denied).toMatchObject({ details: { resource: 'object/bikes/1', permission: 'P' } });
    const granted = t.client({ token: await t.token({ sub: 'dispatcher', realm: 'dp-perm', per: { 'dp-perm': { 'object/bikes/*': 'P' } } }) });
    await expect(granted.connectionStatus('bikes/1')).resolves.toBe('disconnected');
    await expect(granted.connectionStatus('cars/1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers GET /api/presence/objects/:id with the id as a path or encoded, and 400 for a bad id', async () => {
    await provider('encoded', 'dp-rest', { 'dp-rest': ['fleet/van/3'] });
    const watcher = await statusWatcher('dp-rest');
    // The provider may have registered before the watcher subscribed: ask rather than wait.
    expect(await watcher.client.connectionStatus('fleet/van/3')).toBe('connected');
    expect((await restStatus('dp-rest', 'fleet/van/3')).body).toEqual({ id: 'fleet/van/3', connectionStatus: 'connected', providerCount: 1 });
    expect((await restStatus('dp-rest', 'fleet%2Fvan%2F3')).body.connectionStatus).toBe('connected');
    const bad = await restStatus('dp-rest', 'fleet%20van');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_ARGUMENT', error: 'InvalidArgumentError' });
  });
});
