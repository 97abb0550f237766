import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Area, FeedSubscribeResult, RealmInfo, RealmObject } from '../../shared/index.js';
import { feedRecorder, idsOf, ok, record, request } from '../support/object-wire.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let writer: Socket;

beforeAll(async () => {
  t = await startTestServer({ objects: { limits: { maxFeedsPerConnection: 3, maxFeedMembers: 5 } } });
  writer = await t.rawSocket(await t.token({ sub: 'backend', realms: ['*'], permissions: ['service'] }));
});
afterAll(() => t.close());

async function subscriber(realm: string, claims: Record<string, unknown> = { permissions: ['service'] }) {
  const socket = await t.rawSocket(await t.token({ sub: `sub-${realm}`, realm, ...claims }));
  return { socket, frames: feedRecorder<RealmObject>(socket) };
}

const at = (latitude: number, longitude: number) => ({ latitude, longitude });

describe('object feeds', () => {
  it('sends the whole matching set as full right after the ack with executeImmediately, then deltas', async () => {
    await ok(writer, 'object:set', { realm: 'f1', id: 'scooter/1', location: at(51.5, -0.12), data: { type: 'scooter' } });
    await ok(writer, 'object:set', { realm: 'f1', id: 'bike/1', location: at(51.5, -0.12), data: { type: 'bike' } });
    const { socket, frames } = await subscriber('f1');
    const order: string[] = [];
    socket.on('feed:data', () => order.push('feed:data'));
    const result = await new Promise<{ ok: boolean; data?: FeedSubscribeResult }>((resolve) =>
      socket.emit(
        'objects:subscribe',
        { realm: 'f1', where: ['type="scooter"'], executeImmediately: true },
        (ack: { ok: boolean; data?: FeedSubscribeResult }) => {
          order.push('ack');
          resolve(ack);
        },
      ),
    );
    const full = await frames.until((data) => data.kind === 'full');
    expect(order.slice(0, 2)).toEqual(['ack', 'feed:data']);
    expect(result).toEqual({ ok: true, data: { subscriptionId: full.subscriptionId, realm: 'f1' } });
    expect(idsOf(full)).toEqual({ kind: 'full', added: ['scooter/1'], updated: [], removed: [] });
    expect(full.added['scooter/1']).toMatchObject({ id: 'scooter/1', connectionStatus: 'disconnected', data: { type: 'scooter' } });

    await ok(writer, 'object:set', { realm: 'f1', id: 'scooter/2', data: { type: 'scooter' } });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['scooter/2'], updated: [], removed: [] });
    await ok(writer, 'object:update', { realm: 'f1', id: 'scooter/1', data: { charge: 1 } });
    const updated = await frames.next();
    expect(idsOf(updated)).toEqual({ kind: 'delta', added: [], updated: ['scooter/1'], removed: [] });
    expect(updated.updated['scooter/1']?.data).toEqual({ type: 'scooter', charge: 1 });
    await ok(writer, 'object:update', { realm: 'f1', id: 'scooter/2', data: { type: 'bike' } });
    const left = await frames.next();
    expect(idsOf(left)).toEqual({ kind: 'delta', added: [], updated: [], removed: ['scooter/2'] });
    await ok(writer, 'object:delete', { realm: 'f1', id: 'scooter/1' });
    const deleted = await frames.next();
    expect(idsOf(deleted)).toEqual({ kind: 'delta', added: [], updated: [], removed: ['scooter/1'] });
    expect(deleted.removed['scooter/1']?.data).toEqual({ type: 'scooter', charge: 1 });
  });

  it('without executeImmediately, starts with the first change', async () => {
    await ok(writer, 'object:set', { realm: 'f2', id: 'a', data: {} });
    const { socket, frames } = await subscriber('f2');
    await ok(socket, 'objects:subscribe', { realm: 'f2' });
    await ok(writer, 'object:set', { realm: 'f2', id: 'b', data: {} });
    expect(idsOf(await frames.until(() => true))).toEqual({ kind: 'delta', added: ['b'], updated: [], removed: [] });
  });

  it('adds an object moving into a circle and removes it (with its last state) when it moves out', async () => {
    const { socket, frames } = await subscriber('f3');
    await ok(socket, 'objects:subscribe', { realm: 'f3', shape: { cx: -0.1276, cy: 51.5072, r: 500 }, executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual([]);
    await ok(writer, 'object:set', { realm: 'f3', id: 'rider', location: at(51.52, -0.1276) }); // ~1.4 km north: outside
    await ok(writer, 'object:set', { realm: 'f3', id: 'rider', location: at(51.5075, -0.1276) }); // inside
    const added = await frames.next();
    expect(idsOf(added)).toEqual({ kind: 'delta', added: ['rider'], updated: [], removed: [] });
    await ok(writer, 'object:set', { realm: 'f3', id: 'rider', location: at(51.5078, -0.1276) });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: [], updated: ['rider'], removed: [] });
    await ok(writer, 'object:set', { realm: 'f3', id: 'rider', location: at(51.6, -0.1276) });
    const removed = await frames.next();
    expect(idsOf(removed)).toEqual({ kind: 'delta', added: [], updated: [], removed: ['rider'] });
    expect(removed.removed.rider?.location?.latitude).toBe(51.5078);
  });

  it('feed:update pans the map and changes where in place, sending the difference as one delta', async () => {
    for (const [id, longitude, type] of [
      ['w', -0.2, 'bike'],
      ['e', 0.2, 'bike'],
      ['e2', 0.2, 'van'],
    ] as const) {
      await ok(writer, 'object:set', { realm: 'f4', id, location: at(51.5, longitude), data: { type } });
    }
    const { socket, frames } = await subscriber('f4');
    const { subscriptionId } = await ok<FeedSubscribeResult>(socket, 'objects:subscribe', {
      realm: 'f4',
      shape: { x1: -0.3, y1: 51.6, x2: -0.1, y2: 51.4 },
      executeImmediately: true,
    });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual(['w']);
    await ok(socket, 'feed:update', { subscriptionId, shape: { x1: 0.1, y1: 51.6, x2: 0.3, y2: 51.4 } });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['e', 'e2'], updated: [], removed: ['w'] });
    await ok(socket, 'feed:update', { subscriptionId, shape: { x1: 0.1, y1: 51.6, x2: 0.3, y2: 51.4 }, where: ['type="van"'] });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: [], updated: [], removed: ['e'] });
    expect(await request(socket, 'feed:update', { subscriptionId: 'feed_unknown' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await request(socket, 'feed:update', { subscriptionId, where: ['type=='] })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('follows a moving target (roaming geofence), without the target itself', async () => {
    await ok(writer, 'object:set', { realm: 'f5', id: 'van', location: at(51.5, -0.12) });
    await ok(writer, 'object:set', { realm: 'f5', id: 'parcel/near', location: at(51.5005, -0.12) });
    await ok(writer, 'object:set', { realm: 'f5', id: 'parcel/far', location: at(51.6, -0.12) });
    const { socket, frames } = await subscriber('f5');
    await ok(socket, 'objects:subscribe', { realm: 'f5', target: { id: 'van', r: 200 }, executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual(['parcel/near']);
    await ok(writer, 'object:set', { realm: 'f5', id: 'van', location: at(51.6003, -0.12) });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['parcel/far'], updated: [], removed: ['parcel/near'] });
  });

  it('an area-bound feed follows the area when its shape changes, and empties when it is deleted', async () => {
    await ok(writer, 'area:create', { realm: 'f6', id: 'zone', shape: { cx: -0.12, cy: 51.5, r: 100 } });
    await ok(writer, 'object:set', { realm: 'f6', id: 'a', location: at(51.5, -0.12) });
    await ok(writer, 'object:set', { realm: 'f6', id: 'b', location: at(51.51, -0.12) });
    const { socket, frames } = await subscriber('f6');
    await ok(socket, 'objects:subscribe', { realm: 'f6', area: 'zone', executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual(['a']);
    await ok(writer, 'area:update', { realm: 'f6', id: 'zone', shape: { cx: -0.12, cy: 51.51, r: 100 } });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['b'], updated: [], removed: ['a'] });
    await ok(writer, 'area:delete', { realm: 'f6', id: 'zone' });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: [], updated: [], removed: ['b'] });
    expect(await request(socket, 'objects:subscribe', { realm: 'f6', area: 'zone' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('stops after feed:cancel, and drops a realm feed when the realm is deleted', async () => {
    await ok(writer, 'realm:create', { realm: 'f7' });
    await ok(writer, 'object:set', { realm: 'f7', id: 'a', data: {} });
    const { socket, frames } = await subscriber('f7');
    const { subscriptionId } = await ok<FeedSubscribeResult>(socket, 'objects:subscribe', { realm: 'f7' });
    const other = await ok<FeedSubscribeResult>(socket, 'objects:subscribe', { realm: 'f7', where: ['$id="a"'] });
    expect(await ok(socket, 'feed:cancel', { subscriptionId })).toEqual({ subscriptionId });
    expect(await request(socket, 'feed:cancel', { subscriptionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await ok(writer, 'realm:delete', { realm: 'f7' });
    const frame = await frames.until(() => true);
    expect(frame.subscriptionId).toBe(other.subscriptionId);
    expect(idsOf(frame)).toEqual({ kind: 'delta', added: [], updated: [], removed: ['a'] });
    expect(frames.values.every((data) => data.subscriptionId !== subscriptionId)).toBe(true);
  });

  it('never delivers an object the subscriber may not read', async () => {
    const { socket, frames } = await subscriber('f8', { per: { f8: { 'public/*': 'R' } } });
    await ok(writer, 'object:set', { realm: 'f8', id: 'secret/1', data: {} });
    await ok(socket, 'objects:subscribe', { realm: 'f8', executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual([]);
    await ok(writer, 'object:set', { realm: 'f8', id: 'secret/2', data: {} });
    await ok(writer, 'object:set', { realm: 'f8', id: 'public/1', data: {} });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['public/1'], updated: [], removed: [] });
    expect(frames.values.flatMap((data) => Object.keys(data.added))).toEqual(['public/1']);
  });

  it('bounds feeds per connection and members per feed', async () => {
    for (let i = 0; i < 6; i += 1) await ok(writer, 'object:set', { realm: 'f9', id: `o/${i}`, data: {} });
    const { socket } = await subscriber('f9');
    expect(await request(socket, 'objects:subscribe', { realm: 'f9' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    const revoked = record<{ subscriptionId: string; error: { code: string } }>(socket, 'subscription:revoked');
    const { subscriptionId } = await ok<FeedSubscribeResult>(socket, 'objects:subscribe', { realm: 'f9', where: ['$id!="o/0"', '$id!="o/1"'] });
    await ok(socket, 'objects:subscribe', { realm: 'f9', where: ['$id="o/1"'] });
    await ok(socket, 'areas:subscribe', { realm: 'f9' });
    expect(await request(socket, 'objects:subscribe', { realm: 'f9', where: ['$id="o/1"'] })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    await ok(writer, 'object:set', { realm: 'f9', id: 'o/6', data: {} }); // its fifth member: the limit
    await ok(writer, 'object:set', { realm: 'f9', id: 'o/7', data: {} }); // one past it
    expect(await revoked.until(() => true)).toMatchObject({ subscriptionId, error: { code: 'LIMIT_EXCEEDED' } });
    // The revoked feed no longer counts: there is room for another.
    expect(await request(socket, 'feed:cancel', { subscriptionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await ok(socket, 'objects:subscribe', { realm: 'f9', where: ['$id="o/2"'] });
  });
});

describe('area and realm feeds', () => {
  it('areas:subscribe sends areas created, updated and deleted', async () => {
    await ok(writer, 'area:create', { realm: 'a1', id: 'z1', shape: { cx: 0, cy: 0, r: 10 } });
    const socket = await t.rawSocket(await t.token({ sub: 'ar', realm: 'a1' }));
    const frames = feedRecorder<Area>(socket);
    await ok(socket, 'areas:subscribe', { realm: 'a1', executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual(['z1']);
    await ok(writer, 'area:create', { realm: 'a1', id: 'z2', shape: { cx: 0, cy: 0, r: 10 } });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['z2'], updated: [], removed: [] });
    await ok(writer, 'area:update', { realm: 'a1', id: 'z1', label: 'x' });
    expect((await frames.next()).updated.z1?.label).toBe('x');
    await ok(writer, 'area:delete', { realm: 'a1', id: 'z2' });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: [], updated: [], removed: ['z2'] });
  });

  it('realms:subscribe sends changes of granted realms only', async () => {
    await ok(writer, 'realm:create', { realm: 'r1', label: 'One' });
    const socket = await t.rawSocket(await t.token({ sub: 'rr', realms: ['r1', 'r2'] }));
    const frames = feedRecorder<RealmInfo>(socket);
    await ok(socket, 'realms:subscribe', { executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual(['r1']);
    await ok(writer, 'realm:create', { realm: 'r3' });
    await ok(writer, 'realm:create', { realm: 'r2', label: 'Two' });
    const next = await frames.next();
    expect(idsOf(next)).toEqual({ kind: 'delta', added: ['r2'], updated: [], removed: [] });
    expect(frames.values.flatMap((data) => Object.keys(data.added))).not.toContain('r3');
  });
});
