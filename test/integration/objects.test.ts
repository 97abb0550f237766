import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Area, HistoryEntry, ObjectSummary, RealmInfo, RealmObject, SearchResult } from '../../shared/index.js';
import { feedRecorder, ok, request } from '../support/object-wire.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let service: Socket;

beforeAll(async () => {
  t = await startTestServer({ objects: { limits: { historyMaxEntries: 3, maxObjectsPerRealm: 50 } } });
  service = await t.rawSocket(await t.token({ sub: 'backend', realms: ['london', 'lagos', 'full'], permissions: ['service'] }));
});
afterAll(() => t.close());

async function rest(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const bearer = token ?? (await t.token({ sub: 'backend', realms: ['london', 'lagos'], permissions: ['service'] }));
  const response = await fetch(`${t.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('realm records', () => {
  it('creates, reads, merges, lists and deletes a realm record; an unknown one is NOT_FOUND', async () => {
    const missing = await request(service, 'realm:get', { realm: 'london' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'unknown realm london' } });
    const created = await ok<RealmInfo>(service, 'realm:create', { realm: 'london', label: 'London', data: { timezone: 'Europe/London', mayor: 'x' } });
    expect(created).toMatchObject({ id: 'london', label: 'London', data: { timezone: 'Europe/London', mayor: 'x' } });
    expect(await request(service, 'realm:create', { realm: 'london' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const updated = await ok<RealmInfo>(service, 'realm:update', { realm: 'london', data: { mayor: null, zone: 1 } });
    expect(updated.data).toEqual({ timezone: 'Europe/London', zone: 1 });
    expect(updated.label).toBe('London');
    const { realms } = await ok<{ realms: RealmInfo[] }>(service, 'realm:list', {});
    expect(realms.map((realm) => realm.id)).toEqual(['london']);
    await ok(service, 'object:set', { realm: 'london', id: 'gone/1', location: { latitude: 51.5, longitude: -0.12 } });
    expect(await ok(service, 'realm:delete', { realm: 'london' })).toEqual({ id: 'london', deleted: true });
    expect(await request(service, 'object:get', { realm: 'london', id: 'gone/1' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await request(service, 'realm:get', { realm: 'london' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('lets only the admin or service role write realm records, and lists only granted realms', async () => {
    await ok(service, 'realm:create', { realm: 'lagos', label: 'Lagos' });
    const client = await t.rawSocket(await t.token({ sub: 'rider', realms: ['lagos', 'paris'] }));
    expect(await request(client, 'realm:update', { realm: 'lagos', label: 'x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ok<RealmInfo>(client, 'realm:get', { realm: 'lagos' })).toMatchObject({ id: 'lagos', label: 'Lagos' });
    expect(await request(client, 'realm:get', { realm: 'london' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const other = await t.rawSocket(await t.token({ sub: 'other', realm: 'paris', permissions: ['admin'] }));
    expect((await ok<{ realms: RealmInfo[] }>(other, 'realm:list', {})).realms).toEqual([]);
  });
});

describe('objects', () => {
  it('fills every location field, merges data, replaces label and location, and answers CONFLICT and NOT_FOUND', async () => {
    const created = await ok<RealmObject>(service, 'object:create', {
      realm: 'lagos',
      id: 'rider/SadeIbrahim',
      label: 'Sade',
      location: { latitude: 6.51309, longitude: 3.3759, time: 1764655200000 },
      data: { type: 'bike', stats: { trips: 1, rating: 5 } },
    });
    expect(created).toMatchObject({
      id: 'rider/SadeIbrahim',
      label: 'Sade',
      connectionStatus: 'disconnected',
      location: {
        latitude: 6.51309,
        longitude: 3.3759,
        altitude: 0,
        accuracy: 0,
        speed: 0,
        heading: 0,
        altitudeAccuracy: 0,
        coordinateSystem: '',
        time: '2025-12-02T06:00:00.000Z',
      },
      data: { type: 'bike', stats: { trips: 1, rating: 5 } },
    });
    expect(await request(service, 'object:create', { realm: 'lagos', id: 'rider/SadeIbrahim' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const updated = await ok<RealmObject>(service, 'object:update', {
      realm: 'lagos',
      id: 'rider/SadeIbrahim',
      data: { stats: { trips: 2, rating: null }, type: null },
    });
    expect(updated.data).toEqual({ stats: { trips: 2 } });
    expect(updated.label).toBe('Sade');
    expect(updated.location?.latitude).toBe(6.51309);
    expect(await request(service, 'object:update', { realm: 'lagos', id: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const before = Date.now();
    const moved = await ok<RealmObject>(service, 'object:set', { realm: 'lagos', id: 'rider/SadeIbrahim', location: { latitude: 6.52, longitude: 3.38 } });
    expect(Date.parse(moved.location?.time ?? '')).toBeGreaterThanOrEqual(before - 1);
    expect(await ok(service, 'object:get', { realm: 'lagos', id: 'rider/SadeIbrahim' })).toEqual(moved);
    expect(await ok(service, 'object:delete', { realm: 'lagos', id: 'rider/SadeIbrahim' })).toEqual({ id: 'rider/SadeIbrahim', deleted: true });
    expect(await request(service, 'object:delete', { realm: 'lagos', id: 'rider/SadeIbrahim' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('serves object:set without an acknowledgement, and reports its errors as protocol:error', async () => {
    const errors: Array<{ code: string; details?: { event?: string } }> = [];
    service.on('protocol:error', (error: { code: string }) => errors.push(error));
    const watcher = await t.rawSocket(await t.token({ sub: 'watcher', realm: 'lagos', permissions: ['service'] }));
    const frames = feedRecorder<RealmObject>(watcher);
    await ok(watcher, 'objects:subscribe', { realm: 'lagos', where: ['$id="firehose/1"'] });
    service.emit('object:set', { realm: 'lagos', id: 'firehose/1', location: { latitude: 6.5, longitude: 3.3 } });
    service.emit('object:set', { realm: 'lagos', id: 'firehose/1', location: { latitude: 95, longitude: 3.3 } });
    const frame = await frames.until((data) => 'firehose/1' in data.added);
    expect(frame.added['firehose/1']?.location?.latitude).toBe(6.5);
    await new Promise<void>((resolve) => (errors.length > 0 ? resolve() : service.once('protocol:error', () => resolve())));
    expect(errors).toEqual([expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ event: 'object:set' }) })]);
  });

  it('lists by where, shape and area, with the data keys asked for', async () => {
    for (const [id, longitude, type, charge] of [
      ['scooter/1', 3.37, 'scooter', 0.8],
      ['scooter/2', 3.38, 'scooter', 0.2],
      ['bike/1', 3.371, 'bike', 0.9],
      ['scooter/far', 10, 'scooter', 0.9],
    ] as const) {
      await ok(service, 'object:set', { realm: 'lagos', id, location: { latitude: 6.51, longitude }, data: { type, charge, owner: 'x' } });
    }
    const list = async (query: Record<string, unknown>) =>
      Object.keys((await ok<{ objects: Record<string, ObjectSummary> }>(service, 'object:list', { realm: 'lagos', ...query })).objects).sort();
    expect(await list({ where: ['type="scooter"', 'charge>0.3'] })).toEqual(['scooter/1', 'scooter/far']);
    expect(await list({ where: ['type="scooter"'], shape: { cx: 3.375, cy: 6.51, r: 5000 } })).toEqual(['scooter/1', 'scooter/2']);
    await ok(service, 'area:create', { realm: 'lagos', id: 'zone-1', shape: { west: 3.36, north: 6.52, east: 3.375, south: 6.5 } });
    expect(await list({ area: 'zone-1' })).toEqual(['bike/1', 'scooter/1']);
    expect(await list({ target: { id: 'scooter/1', r: 500 } })).toEqual(['bike/1']);
    const { objects } = await ok<{ objects: Record<string, ObjectSummary> }>(service, 'object:list', {
      realm: 'lagos',
      where: ['$id="bike/1"'],
      field: ['charge'],
    });
    expect(objects['bike/1']).toMatchObject({ id: 'bike/1', connectionStatus: 'disconnected', data: { charge: 0.9 } });
    expect(await request(service, 'object:list', { realm: 'lagos', where: ['charge>>1'] })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await request(service, 'object:list', { realm: 'lagos', area: 'no-such-area' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('keeps a bounded history of the whole merged state, by inclusive time range', async () => {
    const start = Date.now();
    await ok(service, 'object:create', { realm: 'lagos', id: 'tracked/1', data: { valueA: 1 } });
    await ok(service, 'object:update', { realm: 'lagos', id: 'tracked/1', data: { valueB: 1 } });
    await ok(service, 'object:update', { realm: 'lagos', id: 'tracked/1', data: { valueA: 2 } });
    await ok(service, 'object:update', { realm: 'lagos', id: 'tracked/1', data: { valueB: 2 } });
    await ok(service, 'object:update', { realm: 'lagos', id: 'tracked/1', label: 'only the label: no entry' });
    const { entries } = await ok<{ entries: HistoryEntry[] }>(service, 'object:history', {
      realm: 'lagos',
      id: 'tracked/1',
      start,
      end: new Date(Date.now() + 1000).toISOString(),
    });
    // At most 3 entries per object (this server's limit): the oldest went.
    expect(entries.map((entry) => entry.data)).toEqual([
      { valueA: 1, valueB: 1 },
      { valueA: 2, valueB: 1 },
      { valueA: 2, valueB: 2 },
    ]);
    expect(entries.map((entry) => entry.time)).toEqual([...entries.map((entry) => entry.time)].sort((a, b) => a - b));
    const none = await ok<{ entries: HistoryEntry[] }>(service, 'object:history', { realm: 'lagos', id: 'tracked/1', start: 0, end: start - 1 });
    expect(none.entries).toEqual([]);
  });

  it('refuses a new object past the per-realm limit with LIMIT_EXCEEDED', async () => {
    for (let i = 0; i < 50; i += 1) await ok(service, 'object:set', { realm: 'full', id: `o/${i}` });
    expect(await request(service, 'object:create', { realm: 'full', id: 'o/50' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    // An existing one can still be written.
    await ok(service, 'object:set', { realm: 'full', id: 'o/0', data: { still: true } });
  });

  it('refuses data past the size limit with PAYLOAD_TOO_LARGE, and bad input with INVALID_ARGUMENT issues', async () => {
    expect(await request(service, 'object:set', { realm: 'lagos', id: 'big/1', data: { blob: 'x'.repeat(17_000) } })).toMatchObject({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    const bad = await request(service, 'object:create', { realm: 'lagos', id: 'a//b', location: { latitude: 91 }, extra: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const paths = (bad as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'location.latitude', 'location.longitude', 'extra']));
    expect(await request(service, 'area:create', { realm: 'lagos', id: 'z', shape: { cx: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('unknown shape data') },
    });
    // The connection is still usable.
    expect(await ok(service, 'object:get', { realm: 'lagos', id: 'bike/1' })).toMatchObject({ id: 'bike/1' });
  });
});

describe('areas and search', () => {
  it('creates, merges, replaces the shape of, lists and deletes areas', async () => {
    const area = await ok<Area>(service, 'area:create', {
      realm: 'lagos',
      id: 'zone-2',
      label: 'Market',
      shape: { cx: 3.37, cy: 6.51, r: 300 },
      data: { a: 1 },
    });
    expect(area).toMatchObject({ id: 'zone-2', shape: 'circle', shapeData: { cx: 3.37, cy: 6.51, r: 300 } });
    expect(await request(service, 'area:create', { realm: 'lagos', id: 'zone-2', shape: { cx: 0, cy: 0, r: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await request(service, 'area:create', { realm: 'lagos', id: 'zone-3' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const updated = await ok<Area>(service, 'area:update', {
      realm: 'lagos',
      id: 'zone-2',
      shape: {
        points: [
          { x: 3, y: 6 },
          { x: 4, y: 6 },
          { x: 4, y: 7 },
        ],
      },
      data: { b: 2 },
    });
    expect(updated).toMatchObject({ shape: 'polygon', data: { a: 1, b: 2 }, label: 'Market' });
    const { areas } = await ok<{ areas: Record<string, Area> }>(service, 'area:list', { realm: 'lagos' });
    expect(Object.keys(areas).sort()).toEqual(['zone-1', 'zone-2']);
    await ok(service, 'area:delete', { realm: 'lagos', id: 'zone-2' });
    expect(await request(service, 'area:get', { realm: 'lagos', id: 'zone-2' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('searches ids, labels and data values case-insensitively, with offsets', async () => {
    await ok(service, 'object:set', { realm: 'lagos', id: 'search/1', label: 'Red Scooter', data: { colour: { name: 'Crimson' }, n: 4711 } });
    const search = async (query: Record<string, unknown>) =>
      (await ok<{ results: SearchResult[] }>(service, 'realm:search', { realm: 'lagos', ...query })).results;
    expect(await search({ query: 'red sc' })).toEqual([
      { id: 'search/1', type: 'object', label: 'Red Scooter', field: 'label', value: 'Red Scooter', start: 0, end: 6 },
    ]);
    expect(await search({ query: 'CRIMS', fields: ['data'] })).toEqual([
      { id: 'search/1', type: 'object', label: 'Red Scooter', field: 'data', value: 'Crimson', start: 0, end: 5, dataProperty: 'colour.name' },
    ]);
    expect(await search({ query: '471' })).toMatchObject([{ id: 'search/1', field: 'data', dataProperty: 'n', value: '4711' }]);
    expect((await search({ query: 'zone' })).map((hit) => `${hit.type} ${hit.id}`)).toEqual(['area zone-1']);
    expect(await search({ query: 'scooter', fields: ['id'], maxObjectResults: 2 })).toHaveLength(2);
  });
});

describe('permissions (Hivekit per patterns)', () => {
  it('applies per patterns to object ids: R reads, CU writes only the own object, without R nothing is listed', async () => {
    const john = await t.rawSocket(
      await t.token({
        sub: 'johndoe-123',
        per: { lagos: { 'deliveryRiders/*': 'R', 'deliveryRides/johndoe-123': 'CU' } },
        dpv: { lagos: ['deliveryRides/johndoe-123'] },
      }),
    );
    await ok(service, 'object:set', { realm: 'lagos', id: 'deliveryRiders/7', data: { type: 'bike' } });
    expect(await ok(john, 'object:get', { realm: 'lagos', id: 'deliveryRiders/7' })).toMatchObject({ id: 'deliveryRiders/7' });
    expect(await request(john, 'object:update', { realm: 'lagos', id: 'deliveryRiders/7', data: { x: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await ok(john, 'object:set', { realm: 'lagos', id: 'deliveryRides/johndoe-123', location: { latitude: 6.5, longitude: 3.4 } })).toMatchObject({
      connectionStatus: 'connected',
    });
    expect(await request(john, 'object:delete', { realm: 'lagos', id: 'deliveryRides/johndoe-123' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await request(john, 'object:get', { realm: 'lagos', id: 'scooter/1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const { objects } = await ok<{ objects: Record<string, ObjectSummary> }>(john, 'object:list', { realm: 'lagos' });
    expect(Object.keys(objects)).toEqual(['deliveryRiders/7']);
    const { results } = await ok<{ results: SearchResult[] }>(john, 'realm:search', { realm: 'lagos', query: 'scooter' });
    expect(results).toEqual([]);
  });
});

describe('REST', () => {
  it('serves realms, objects (ids URL-encoded), areas, history, search and pubsub', async () => {
    expect((await rest('POST', '/realms', { realm: 'london', label: 'London' })).status).toBe(201);
    expect((await rest('GET', '/realms/london')).body).toMatchObject({ id: 'london', label: 'London' });
    expect((await rest('PATCH', '/realms/london', { data: { a: 1 } })).body).toMatchObject({ data: { a: 1 } });
    expect((await rest('GET', '/realms')).body.realms).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'london' })]));
    const created = await rest('POST', '/realms/london/objects/riders%2F7', {
      label: 'Seven',
      location: { latitude: 51.5, longitude: -0.12 },
      data: { type: 'bike' },
    });
    expect(created).toMatchObject({ status: 201, body: { id: 'riders/7', label: 'Seven' } });
    expect((await rest('POST', '/realms/london/objects/riders%2F7', {})).status).toBe(409);
    expect((await rest('PATCH', '/realms/london/objects/riders%2F7', { data: { charge: 0.5 } })).body).toMatchObject({ data: { type: 'bike', charge: 0.5 } });
    expect((await rest('PUT', '/realms/london/objects/riders%2F8', { location: { latitude: 51.51, longitude: -0.12 }, data: { type: 'van' } })).status).toBe(
      200,
    );
    expect((await rest('GET', '/realms/london/objects/riders%2F8')).body).toMatchObject({ id: 'riders/8', data: { type: 'van' } });
    const shape = encodeURIComponent(JSON.stringify({ cx: -0.12, cy: 51.5, r: 2000 }));
    expect(Object.keys((await rest('GET', `/realms/london/objects?where=type%3D%22bike%22&shape=${shape}`)).body.objects as object)).toEqual(['riders/7']);
    expect(Object.keys((await rest('POST', '/realms/london/objects/query', { where: ['type="van"'] })).body.objects as object)).toEqual(['riders/8']);
    expect((await rest('GET', '/realms/london/objects?shape=notjson')).status).toBe(400);
    expect((await rest('POST', '/realms/london/areas/zone-1', { shape: { cx: -0.12, cy: 51.5, r: 100 } })).status).toBe(201);
    expect((await rest('PATCH', '/realms/london/areas/zone-1', { label: 'Centre' })).body).toMatchObject({ label: 'Centre', shape: 'circle' });
    expect(Object.keys((await rest('GET', '/realms/london/areas')).body.areas as object)).toEqual(['zone-1']);
    expect((await rest('GET', '/realms/london/areas/zone-1')).body).toMatchObject({ id: 'zone-1' });
    const history = await rest('GET', `/realms/london/history/riders%2F7?start=0&end=${new Date(Date.now() + 1000).toISOString()}`);
    expect((history.body.entries as HistoryEntry[]).map((entry) => entry.data)).toEqual([{ type: 'bike' }, { type: 'bike', charge: 0.5 }]);
    expect((await rest('GET', '/realms/london/search?query=seven&fields=label')).body.results).toMatchObject([{ id: 'riders/7', field: 'label' }]);
    expect(await rest('POST', '/realms/london/pubsub/alert', { id: 'riders/7', data: { level: 1 } })).toEqual({
      status: 200,
      body: { realm: 'london', event: 'alert', id: 'riders/7' },
    });
    expect((await rest('DELETE', '/realms/london/areas/zone-1')).body).toEqual({ id: 'zone-1', deleted: true });
    expect((await rest('DELETE', '/realms/london/objects/riders%2F7')).body).toEqual({ id: 'riders/7', deleted: true });
    expect((await rest('GET', '/realms/london/objects/riders%2F7')).status).toBe(404);
    expect((await rest('DELETE', '/realms/london')).status).toBe(200);
    const client = await t.token({ sub: 'c', realm: 'london' });
    expect((await rest('POST', '/realms/london/objects/x', {}, client)).status).toBe(403);
  });
});
