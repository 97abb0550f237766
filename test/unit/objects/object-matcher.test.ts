import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidArgumentError, LimitExceededError, NotFoundError } from '../../../shared/index.js';
import type { MatchDelta } from '../../../server/objects/matching/match-delta.js';
import type { MatchableObject } from '../../../server/objects/matching/matchable-object.js';
import { ObjectMatcher } from '../../../server/objects/matching/object-matcher.js';
import { DEFAULT_OBJECT_MATCHER_OPTIONS } from '../../../server/objects/matching/object-matcher-options.js';

/** About 111 m of latitude. */
const M100 = 0.001;

function object(id: string, longitude: number | null, latitude = 0, data: Record<string, unknown> = {}): MatchableObject {
  return {
    id,
    label: '',
    connectionStatus: 'connected',
    location: longitude === null ? null : { longitude, latitude },
    data,
  };
}

function sorted(ids: string[]): string[] {
  return [...ids].sort();
}

/** The changes as `subscription:object:kind` strings, sorted. */
function changes(delta: MatchDelta): string[] {
  return delta.changes.map((change) => `${change.subscriptionId}:${change.objectId}:${change.kind}`).sort();
}

describe('ObjectMatcher: shape subscriptions', () => {
  it('answers the current set on add, then adds, updates and removes as objects move', () => {
    const matcher = new ObjectMatcher();
    matcher.upsertObject(object('a', 0, 0));
    matcher.upsertObject(object('far', 1, 1));
    expect(matcher.addSubscription('s', { shape: { cx: 0, cy: 0, r: 1000 } })).toEqual(['a']);

    expect(changes(matcher.upsertObject(object('b', 2 * M100, 0)))).toEqual(['s:b:added']);
    expect(changes(matcher.upsertObject(object('b', 3 * M100, 0)))).toEqual(['s:b:updated']);
    expect(changes(matcher.upsertObject(object('b', 20 * M100, 0)))).toEqual(['s:b:removed']);
    expect(changes(matcher.upsertObject(object('b', 30 * M100, 0)))).toEqual([]);
    expect(changes(matcher.upsertObject(object('a', null)))).toEqual(['s:a:removed']);
    expect(matcher.members('s')).toEqual([]);
  });

  it('removes an object whose data stops satisfying where, and adds it back', () => {
    const matcher = new ObjectMatcher();
    matcher.addSubscription('s', { where: ['type="scooter"', 'charge>0.3'], shape: { x1: -1, y1: 1, x2: 1, y2: -1 } });
    expect(changes(matcher.upsertObject(object('a', 0, 0, { type: 'scooter', charge: 0.5 })))).toEqual(['s:a:added']);
    expect(changes(matcher.upsertObject(object('a', 0, 0, { type: 'scooter', charge: 0.2 })))).toEqual(['s:a:removed']);
    expect(changes(matcher.upsertObject(object('a', 0, 0, { type: 'scooter', charge: 0.9 })))).toEqual(['s:a:added']);
    expect(changes(matcher.upsertObject(object('a', 0, 0, { type: 'bike', charge: 0.9 })))).toEqual(['s:a:removed']);
  });

  it('reports every subscription an object enters, stays in and leaves, in one write', () => {
    const matcher = new ObjectMatcher();
    matcher.addSubscription('west', { shape: { x1: -2, y1: 1, x2: 0, y2: -1 } });
    matcher.addSubscription('east', { shape: { x1: 0, y1: 1, x2: 2, y2: -1 } });
    matcher.addSubscription('wide', { shape: { cx: 0, cy: 0, r: 500_000 } });
    expect(changes(matcher.upsertObject(object('a', -1, 0)))).toEqual(['west:a:added', 'wide:a:added']);
    expect(changes(matcher.upsertObject(object('a', 0, 0)))).toEqual(['east:a:added', 'west:a:updated', 'wide:a:updated']);
    expect(changes(matcher.upsertObject(object('a', 1, 0)))).toEqual(['east:a:updated', 'west:a:removed', 'wide:a:updated']);
  });

  it('works across the antimeridian', () => {
    const matcher = new ObjectMatcher();
    matcher.addSubscription('dateline', { shape: { x1: 170, y1: 10, x2: -170, y2: -10 } });
    matcher.addSubscription('circle', { shape: { cx: 179.9, cy: 0, r: 50_000 } });
    expect(changes(matcher.upsertObject(object('a', -179.9, 0)))).toEqual(['circle:a:added', 'dateline:a:added']);
    expect(changes(matcher.upsertObject(object('a', 175, 0)))).toEqual(['circle:a:removed', 'dateline:a:updated']);
  });

  it('pans: updateSubscription answers what entered and left', () => {
    const matcher = new ObjectMatcher();
    for (let i = 0; i < 10; i++) matcher.upsertObject(object(`o${i}`, i * 0.1, 0));
    expect(sorted(matcher.addSubscription('map', { shape: { x1: -0.05, y1: 1, x2: 0.35, y2: -1 } }))).toEqual(['o0', 'o1', 'o2', 'o3']);
    const panned = matcher.updateSubscription('map', { shape: { x1: 0.15, y1: 1, x2: 0.55, y2: -1 } });
    expect({ added: sorted(panned.added), removed: sorted(panned.removed) }).toEqual({ added: ['o4', 'o5'], removed: ['o0', 'o1'] });
    expect(sorted(matcher.members('map'))).toEqual(['o2', 'o3', 'o4', 'o5']);
    // The old region no longer catches writes; the new one does.
    expect(changes(matcher.upsertObject(object('o0', 0.01, 0)))).toEqual([]);
    expect(changes(matcher.upsertObject(object('o9', 0.5, 0)))).toEqual(['map:o9:added']);
    const filtered = matcher.updateSubscription('map', { where: ['$id!="o9"'] });
    expect({ added: sorted(filtered.added), removed: sorted(filtered.removed) }).toEqual({
      added: ['o0', 'o1', 'o6', 'o7', 'o8'],
      removed: ['o9'],
    });
  });

  it('stops reporting a removed subscription', () => {
    const matcher = new ObjectMatcher();
    matcher.addSubscription('s', { shape: { cx: 0, cy: 0, r: 1000 } });
    expect(matcher.removeSubscription('s')).toBe(true);
    expect(matcher.removeSubscription('s')).toBe(false);
    expect(changes(matcher.upsertObject(object('a', 0, 0)))).toEqual([]);
    expect(matcher.subscriptionCount).toBe(0);
  });

  it('removes a deleted object from every subscription that held it', () => {
    const matcher = new ObjectMatcher();
    matcher.addSubscription('near', { shape: { cx: 0, cy: 0, r: 1000 } });
    matcher.addSubscription('all', {});
    matcher.addSubscription('elsewhere', { shape: { cx: 10, cy: 10, r: 1000 } });
    matcher.upsertObject(object('a', 0, 0));
    expect(changes(matcher.removeObject('a'))).toEqual(['all:a:removed', 'near:a:removed']);
    expect(changes(matcher.removeObject('a'))).toEqual([]);
    expect(matcher.objectCount).toBe(0);
  });
});

describe('ObjectMatcher: subscriptions without bounds', () => {
  it('hold every object satisfying where, located or not', () => {
    const matcher = new ObjectMatcher();
    matcher.upsertObject(object('nowhere', null, 0, { type: 'scooter' }));
    matcher.upsertObject(object('bike', 5, 5, { type: 'bike' }));
    expect(matcher.addSubscription('scooters', { where: ['type="scooter"'] })).toEqual(['nowhere']);
    expect(changes(matcher.upsertObject(object('bike', 5, 5, { type: 'scooter' })))).toEqual(['scooters:bike:added']);
    expect(changes(matcher.upsertObject(object('bike', 50, 50, { type: 'scooter' })))).toEqual(['scooters:bike:updated']);
    expect(changes(matcher.upsertObject(object('bike', 50, 50, {})))).toEqual(['scooters:bike:removed']);
  });
});

describe('ObjectMatcher: target subscriptions (roaming geofence)', () => {
  it('follow the target: its circle moves and the set is recomputed; the target is not in its own set', () => {
    const matcher = new ObjectMatcher();
    matcher.upsertObject(object('rider', 0, 0));
    for (let i = 1; i <= 5; i++) matcher.upsertObject(object(`p${i}`, i * 3 * M100, 0));
    // r = 500 m: p1 (333 m) only.
    expect(matcher.addSubscription('near-rider', { target: { id: 'rider', r: 500 } })).toEqual(['p1']);
    // The rider moves to p3's position: p2, p3, p4 are within 500 m.
    const moved = matcher.upsertObject(object('rider', 9 * M100, 0));
    expect(changes(moved)).toEqual(['near-rider:p1:removed', 'near-rider:p2:added', 'near-rider:p3:added', 'near-rider:p4:added']);
    expect(sorted(matcher.members('near-rider'))).toEqual(['p2', 'p3', 'p4']);
    // A write that does not move the rider changes nothing for its followers.
    expect(changes(matcher.upsertObject({ ...object('rider', 9 * M100, 0), label: 'Rider' }))).toEqual([]);
    // Others moving in and out of the (moved) circle.
    expect(changes(matcher.upsertObject(object('p5', 10 * M100, 0)))).toEqual(['near-rider:p5:added']);
    expect(changes(matcher.upsertObject(object('p2', 0, 0)))).toEqual(['near-rider:p2:removed']);
  });

  it('empty while the target is unknown or has no location, and fill when it appears', () => {
    const matcher = new ObjectMatcher();
    matcher.upsertObject(object('p', 0, 0));
    expect(matcher.addSubscription('t', { target: { id: 'rider', r: 500 } })).toEqual([]);
    expect(changes(matcher.upsertObject(object('rider', null)))).toEqual([]);
    expect(changes(matcher.upsertObject(object('rider', M100, 0)))).toEqual(['t:p:added']);
    expect(changes(matcher.upsertObject(object('rider', null)))).toEqual(['t:p:removed']);
    expect(changes(matcher.upsertObject(object('rider', M100, 0)))).toEqual(['t:p:added']);
    expect(changes(matcher.removeObject('rider'))).toEqual(['t:p:removed']);
    expect(matcher.members('t')).toEqual([]);
  });

  it('apply where to the others, and a target can be in other subscriptions', () => {
    const matcher = new ObjectMatcher();
    matcher.addSubscription('everyone', {});
    matcher.addSubscription('bikes-near', { where: ['type="bike"'], target: { id: 'rider', r: 1000 } });
    matcher.upsertObject(object('scooter', 0, 0, { type: 'scooter' }));
    matcher.upsertObject(object('bike', 0, 0, { type: 'bike' }));
    expect(changes(matcher.upsertObject(object('rider', 0, 0, { type: 'bike' })))).toEqual(['bikes-near:bike:added', 'everyone:rider:added']);
  });
});

describe('ObjectMatcher: area subscriptions', () => {
  it('move with their area', () => {
    const matcher = new ObjectMatcher();
    for (let i = 0; i < 4; i++) matcher.upsertObject(object(`o${i}`, i, 0));
    expect(matcher.addSubscription('a1', { area: { id: 'zone', shape: null } })).toEqual([]);
    expect(sorted(matcher.addSubscription('a2', { where: ['$id!="o0"'], area: { id: 'zone', shape: { x1: -0.5, y1: 1, x2: 1.5, y2: -1 } } }))).toEqual(['o1']);
    expect(changes(matcher.setAreaShape('zone', { x1: 0.5, y1: 1, x2: 2.5, y2: -1 }))).toEqual(['a1:o1:added', 'a1:o2:added', 'a2:o2:added']);
    expect(changes(matcher.upsertObject(object('o3', 2, 0)))).toEqual(['a1:o3:added', 'a2:o3:added']);
    expect(changes(matcher.setAreaShape('zone', null))).toEqual([
      'a1:o1:removed',
      'a1:o2:removed',
      'a1:o3:removed',
      'a2:o1:removed',
      'a2:o2:removed',
      'a2:o3:removed',
    ]);
    expect(changes(matcher.setAreaShape('other', { cx: 0, cy: 0, r: 10 }))).toEqual([]);
  });

  it('refuse a malformed area shape without changing anything', () => {
    const matcher = new ObjectMatcher();
    matcher.upsertObject(object('o', 0, 0));
    matcher.addSubscription('a', { area: { id: 'zone', shape: { cx: 0, cy: 0, r: 10 } } });
    expect(() => matcher.setAreaShape('zone', { cx: 0, cy: 0, r: -1 })).toThrow(InvalidArgumentError);
    expect(matcher.members('a')).toEqual(['o']);
  });
});

describe('ObjectMatcher: errors and limits', () => {
  it('refuses duplicate and unknown ids, bad criteria, and leaves things as they were', () => {
    const matcher = new ObjectMatcher();
    matcher.upsertObject(object('o', 0, 0));
    matcher.addSubscription('s', { shape: { cx: 0, cy: 0, r: 10 } });
    expect(() => matcher.addSubscription('s', {})).toThrow(AlreadyExistsError);
    expect(() => matcher.updateSubscription('nope', {})).toThrow(NotFoundError);
    expect(() => matcher.members('nope')).toThrow(NotFoundError);
    expect(() => matcher.addSubscription('t', { where: ['charge>'] })).toThrow(InvalidArgumentError);
    expect(() => matcher.addSubscription('t', { shape: { cx: 0, cy: 0, r: 10 }, target: { id: 'o', r: 5 } })).toThrow(/at most one of shape, area and target/);
    expect(() => matcher.addSubscription('t', { target: { id: 'o', r: 0 } })).toThrow(InvalidArgumentError);
    expect(() => matcher.updateSubscription('s', { where: ['$x=1'] })).toThrow(InvalidArgumentError);
    expect(matcher.subscriptionCount).toBe(1);
    expect(matcher.members('s')).toEqual(['o']);
  });

  it('caps subscriptions per matcher', () => {
    expect(DEFAULT_OBJECT_MATCHER_OPTIONS).toEqual({ maxSubscriptions: 10_000, maxMembersPerSubscription: 10_000, matching: 'index' });
    const matcher = new ObjectMatcher({ maxSubscriptions: 2 });
    matcher.addSubscription('a', {});
    matcher.addSubscription('b', {});
    expect(() => matcher.addSubscription('c', {})).toThrow(LimitExceededError);
    matcher.removeSubscription('a');
    matcher.addSubscription('c', {});
  });

  it('refuses a subscription or an update whose set would pass the member cap', () => {
    const matcher = new ObjectMatcher({ maxMembersPerSubscription: 2 });
    for (let i = 0; i < 3; i++) matcher.upsertObject(object(`o${i}`, i * M100, 0));
    expect(() => matcher.addSubscription('all', {})).toThrow(LimitExceededError);
    expect(() => matcher.addSubscription('wide', { shape: { cx: 0, cy: 0, r: 10_000 } })).toThrow(/more than 2 objects/);
    expect(matcher.subscriptionCount).toBe(0);
    matcher.addSubscription('s', { shape: { cx: 0, cy: 0, r: 150 } });
    expect(() => matcher.updateSubscription('s', { shape: { cx: 0, cy: 0, r: 10_000 } })).toThrow(LimitExceededError);
    expect(sorted(matcher.members('s'))).toEqual(['o0', 'o1']);
  });

  it('drops a subscription that grows past the member cap and reports it as overflowed', () => {
    const matcher = new ObjectMatcher({ maxMembersPerSubscription: 2 });
    matcher.addSubscription('s', { shape: { cx: 0, cy: 0, r: 1000 } });
    matcher.addSubscription('other', { shape: { cx: 0, cy: 0, r: 2000 } });
    matcher.upsertObject(object('o0', 0, 0));
    matcher.upsertObject(object('o1', 0, 0));
    const delta = matcher.upsertObject(object('o2', 0, 0));
    expect(delta.overflowed.sort()).toEqual(['other', 's']);
    expect(delta.changes).toEqual([]);
    expect(matcher.subscriptionCount).toBe(0);
    expect(changes(matcher.upsertObject(object('o0', 1, 1)))).toEqual([]);
  });

  it('drops a target subscription whose move would pass the member cap', () => {
    const matcher = new ObjectMatcher({ maxMembersPerSubscription: 2 });
    for (let i = 0; i < 3; i++) matcher.upsertObject(object(`o${i}`, 1, 1));
    matcher.upsertObject(object('rider', 0, 0));
    matcher.addSubscription('t', { target: { id: 'rider', r: 100 } });
    expect(matcher.upsertObject(object('rider', 1, 1))).toEqual({ changes: [], overflowed: ['t'] });
  });

  it('validates its options', () => {
    expect(() => new ObjectMatcher({ maxSubscriptions: 0 })).toThrow(InvalidArgumentError);
    expect(() => new ObjectMatcher({ maxMembersPerSubscription: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new ObjectMatcher({ matching: 'rtree' as 'index' })).toThrow(/matching must be 'index' or 'scan'/);
  });
});
