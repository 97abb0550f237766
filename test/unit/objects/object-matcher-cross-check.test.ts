import { describe, expect, it } from 'vitest';
import type { Shape } from '../../../shared/index.js';
import { compileShape } from '../../../server/objects/matching/compile-shape.js';
import type { MatchDelta } from '../../../server/objects/matching/match-delta.js';
import type { MatchableObject } from '../../../server/objects/matching/matchable-object.js';
import type { MatcherCriteria } from '../../../server/objects/matching/matcher-subscription.js';
import { ObjectMatcher } from '../../../server/objects/matching/object-matcher.js';
import { compileWhere } from '../../../server/objects/matching/where-conditions.js';

/** mulberry32: the same sequence on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What each subscription should hold, recomputed from nothing: every object tested against every
 * subscription (the geometry and where code are shared; what this checks is the matcher's indexes,
 * membership map, target and area bookkeeping).
 */
function bruteForce(
  objects: Map<string, MatchableObject>,
  subscriptions: Map<string, MatcherCriteria>,
  areas: Map<string, Shape | null>,
): Map<string, Set<string>> {
  const expected = new Map<string, Set<string>>();
  for (const [id, criteria] of subscriptions) {
    const where = compileWhere(criteria.where);
    let shape: Shape | null | 'all' = 'all';
    if (criteria.shape !== undefined) shape = criteria.shape;
    if (criteria.area !== undefined) shape = areas.get(criteria.area.id) ?? null;
    if (criteria.target !== undefined) {
      const location = objects.get(criteria.target.id)?.location ?? null;
      shape = location === null ? null : { cx: location.longitude, cy: location.latitude, r: criteria.target.r };
    }
    const region = shape === null || shape === 'all' ? shape : compileShape(shape);
    const members = new Set<string>();
    for (const object of objects.values()) {
      if (criteria.target !== undefined && object.id === criteria.target.id) continue;
      if (region === null) continue;
      if (region !== 'all' && (object.location === null || !region.contains(object.location.longitude, object.location.latitude))) continue;
      if (where(object)) members.add(object.id);
    }
    expected.set(id, members);
  }
  return expected;
}

describe('ObjectMatcher cross-check', () => {
  // 'scan' (every subscription tested on every write) is the baseline bench case 10 runs the server with: it must agree too.
  it.each(['index', 'scan'] as const)(
    'with matching %s, reports exactly the deltas a brute-force recomputation implies, over 1,000 random operations (seed 13)',
    (matching) => {
      const random = seededRandom(13);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      // A city-sized square around (0, 0), plus a strip across the antimeridian.
      const position = (): { longitude: number; latitude: number } =>
        random() < 0.85
          ? { longitude: (random() - 0.5) * 0.2, latitude: (random() - 0.5) * 0.2 }
          : { longitude: random() < 0.5 ? 179.95 + random() * 0.05 : -180 + random() * 0.05, latitude: (random() - 0.5) * 0.1 };
      const randomShape = (): Shape => {
        const centre = position();
        switch (pick(['circle', 'circle', 'wide', 'rectangle', 'polygon', 'dateline'] as const)) {
          case 'circle':
            return { cx: centre.longitude, cy: centre.latitude, r: 200 + random() * 5000 };
          case 'wide':
            // Boxes of more than 1,024 grid cells: the subscription index keeps these in its R-tree.
            return { cx: centre.longitude, cy: centre.latitude, r: 6000 + random() * 10_000 };
          case 'rectangle':
            return {
              x1: Math.max(-180, centre.longitude - 0.02),
              y1: centre.latitude + 0.02,
              x2: Math.min(180, centre.longitude + 0.03),
              y2: centre.latitude - 0.01,
            };
          case 'polygon':
            return {
              points: [
                { x: centre.longitude, y: centre.latitude },
                { x: centre.longitude + 0.04, y: centre.latitude + 0.01 },
                { x: centre.longitude + 0.01, y: centre.latitude + 0.01 },
                { x: centre.longitude + 0.02, y: centre.latitude + 0.04 },
              ].map(({ x, y }) => ({ x: x > 180 ? x - 360 : x, y })),
            };
          case 'dateline':
            return { x1: 179.97, y1: 0.05, x2: -179.97, y2: -0.05 };
        }
      };
      const wheres: Array<string[] | undefined> = [
        undefined,
        ['type="scooter"'],
        ['charge>0.5'],
        ['type!="bike"', 'charge<=0.8'],
        ['$connectionStatus="connected"'],
      ];
      const randomObject = (id: string): MatchableObject => ({
        id,
        label: '',
        connectionStatus: random() < 0.8 ? 'connected' : 'disconnected',
        location: random() < 0.05 ? null : position(),
        data: { type: pick(['scooter', 'bike', 'car']), charge: Math.round(random() * 10) / 10 },
      });
      const randomCriteria = (): MatcherCriteria => {
        const where = pick(wheres);
        const base = where === undefined ? {} : { where };
        const kind = random();
        if (kind < 0.5) return { ...base, shape: randomShape() };
        if (kind < 0.7) return { ...base, target: { id: `o${Math.floor(random() * 20)}`, r: 200 + random() * 4000 } };
        if (kind < 0.9) {
          const id = pick(['zone-a', 'zone-b']);
          return { ...base, area: { id, shape: areas.get(id) ?? null } };
        }
        return base;
      };

      const matcher = new ObjectMatcher({ matching });
      const objects = new Map<string, MatchableObject>();
      const subscriptions = new Map<string, MatcherCriteria>();
      const areas = new Map<string, Shape | null>([
        ['zone-a', randomShape()],
        ['zone-b', null],
      ]);
      /** The sets as the deltas told them, starting from addSubscription's answer. */
      const seen = new Map<string, Set<string>>();

      const apply = (delta: MatchDelta, writtenId: string | null): void => {
        expect(delta.overflowed).toEqual([]);
        const updated = new Set<string>();
        for (const { subscriptionId, objectId, kind } of delta.changes) {
          const set = seen.get(subscriptionId)!;
          if (kind === 'added') {
            expect(set.has(objectId), `${subscriptionId} already had ${objectId}`).toBe(false);
            set.add(objectId);
          } else {
            expect(set.has(objectId), `${subscriptionId} did not have ${objectId}`).toBe(true);
            if (kind === 'removed') set.delete(objectId);
            else updated.add(subscriptionId);
            if (kind === 'updated') expect(objectId).toBe(writtenId);
          }
        }
        // The written object is `updated` in exactly the subscriptions it stays in.
        if (writtenId !== null) {
          for (const [subscriptionId, set] of seen) {
            const added = delta.changes.some((c) => c.subscriptionId === subscriptionId && c.objectId === writtenId && c.kind === 'added');
            expect(updated.has(subscriptionId), `${subscriptionId} updated ${writtenId}`).toBe(set.has(writtenId) && !added);
          }
        }
      };

      for (let i = 0; i < 200; i++) {
        const object = randomObject(`o${i}`);
        objects.set(object.id, object);
        apply(matcher.upsertObject(object), object.id);
      }
      for (let i = 0; i < 40; i++) {
        const criteria = randomCriteria();
        subscriptions.set(`s${i}`, criteria);
        seen.set(`s${i}`, new Set(matcher.addSubscription(`s${i}`, criteria)));
      }
      expect(seen).toEqual(bruteForce(objects, subscriptions, areas));

      const counts = { move: 0, data: 0, remove: 0, pan: 0, area: 0, resubscribe: 0 };
      for (let step = 0; step < 1000; step++) {
        const roll = random();
        if (roll < 0.7) {
          // A move (mostly a short hop from where it was), sometimes with new data.
          const id = `o${Math.floor(random() * 200)}`;
          const before = objects.get(id);
          const object = before === undefined || random() < 0.2 ? randomObject(id) : { ...before, location: position() };
          if (before?.location && random() < 0.6) {
            object.location = {
              longitude: Math.max(-180, Math.min(180, before.location.longitude + (random() - 0.5) * 0.01)),
              latitude: before.location.latitude + (random() - 0.5) * 0.01,
            };
          }
          objects.set(id, object);
          apply(matcher.upsertObject(object), id);
          counts.move += 1;
        } else if (roll < 0.78) {
          const id = `o${Math.floor(random() * 200)}`;
          const before = objects.get(id);
          if (before === undefined) continue;
          const object = { ...before, data: { ...before.data, charge: Math.round(random() * 10) / 10, type: pick(['scooter', 'bike']) } };
          objects.set(id, object);
          apply(matcher.upsertObject(object), id);
          counts.data += 1;
        } else if (roll < 0.83) {
          const id = `o${Math.floor(random() * 200)}`;
          objects.delete(id);
          apply(matcher.removeObject(id), null);
          counts.remove += 1;
        } else if (roll < 0.93) {
          const id = `s${Math.floor(random() * 40)}`;
          const criteria = randomCriteria();
          const { added, removed } = matcher.updateSubscription(id, criteria);
          subscriptions.set(id, criteria);
          const set = seen.get(id)!;
          for (const objectId of removed) expect(set.delete(objectId)).toBe(true);
          for (const objectId of added) {
            expect(set.has(objectId)).toBe(false);
            set.add(objectId);
          }
          counts.pan += 1;
        } else if (roll < 0.98) {
          const id = pick(['zone-a', 'zone-b']);
          const shape = random() < 0.2 ? null : randomShape();
          areas.set(id, shape);
          for (const criteria of subscriptions.values()) if (criteria.area?.id === id) criteria.area.shape = shape;
          apply(matcher.setAreaShape(id, shape), null);
          counts.area += 1;
        } else {
          const id = `s${Math.floor(random() * 40)}`;
          matcher.removeSubscription(id);
          const criteria = randomCriteria();
          subscriptions.set(id, criteria);
          seen.set(id, new Set(matcher.addSubscription(id, criteria)));
          counts.resubscribe += 1;
        }
        const expected = bruteForce(objects, subscriptions, areas);
        expect(seen, `step ${step}`).toEqual(expected);
        for (const [id, set] of expected) expect(new Set(matcher.members(id)), `step ${step} ${id}`).toEqual(set);
      }
      // Every kind of operation was exercised, and the sets were not trivially empty.
      for (const count of Object.values(counts)) expect(count).toBeGreaterThan(5);
      const held = [...seen.values()].reduce((sum, set) => sum + set.size, 0);
      expect(held).toBeGreaterThan(40);
    },
  );
});
