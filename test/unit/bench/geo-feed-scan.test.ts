import { Encoder, PacketType } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import type { FeedData, RealmObject } from '../../../shared/index.js';
import { scanFeedDelta } from '../../bench/geo-receivers.js';

/** The frame a subscriber's socket receives for `feed:data` (what Socket.IO's encoder writes, with the engine.io message prefix). */
function frame(data: FeedData<RealmObject>): string {
  const [encoded] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['feed:data', data] });
  return String(encoded);
}

function rider(id: string, t: number): RealmObject {
  const location = {
    latitude: 6.5,
    longitude: 3.4,
    altitude: 0,
    accuracy: 0,
    speed: 0,
    heading: 0,
    altitudeAccuracy: 0,
    time: '2026-12-02T06:00:00.000Z',
    coordinateSystem: '',
  };
  return { id, label: '', location, data: { t }, connectionStatus: 'disconnected', createdAt: 1, updatedAt: 2 };
}

/** Bench case 10 reads publish times out of raw frames; what it counts and times is what its figures are. */
describe('scanFeedDelta', () => {
  it('counts every entry of a delta and times only the added and updated ones (a removed entry carries the previous write)', () => {
    const times: number[] = [];
    const count = scanFeedDelta(
      frame({
        subscriptionId: 'f1',
        kind: 'delta',
        added: { 'rider/1': rider('rider/1', 101) },
        updated: { 'rider/2': rider('rider/2', 202) },
        removed: { 'rider/3': rider('rider/3', 3) },
      }),
      (t) => times.push(t),
    );
    expect(count).toBe(3);
    expect(times).toEqual([101, 202]);
  });

  it('counts nothing in a full set or in other events', () => {
    const visit = (): void => {
      throw new Error('nothing to time');
    };
    expect(scanFeedDelta(frame({ subscriptionId: 'f1', kind: 'full', added: { 'rider/1': rider('rider/1', 1) }, updated: {}, removed: {} }), visit)).toBe(0);
    expect(scanFeedDelta('2["pubsub:message",{"data":{"t":5}}]', visit)).toBe(0);
  });
});
