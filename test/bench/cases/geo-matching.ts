import { CircleRegion } from '../../../server/objects/matching/circle-region.js';
import type { MatchableObject } from '../../../server/objects/matching/matchable-object.js';
import { ObjectMatcher } from '../../../server/objects/matching/object-matcher.js';
import { seededRandom } from '../bench-socket.js';
import { GEO_OBJECTS, randomCircle, randomCityPoint } from '../geo-world.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase, BenchRow } from './bench-case.js';

const OBJECTS = GEO_OBJECTS;
const SUBSCRIPTIONS = 1_000;
/** Location updates per measured round, and rounds per method (interleaved; the median counts). */
const UPDATES_PER_ROUND = 5_000;
const ROUNDS = 5;

interface Move {
  id: string;
  longitude: number;
  latitude: number;
}

/** The world both methods run on: the same objects, circles and moves. */
function makeWorld(): { objects: MatchableObject[]; circles: Array<{ cx: number; cy: number; r: number }>; moves: Move[] } {
  const random = seededRandom(13);
  const inCity = (): { longitude: number; latitude: number } => randomCityPoint(random);
  const objects = Array.from(
    { length: OBJECTS },
    (_, i): MatchableObject => ({
      id: `rider/${i}`,
      label: '',
      connectionStatus: 'connected',
      location: inCity(),
      data: {},
    }),
  );
  const circles = Array.from({ length: SUBSCRIPTIONS }, () => randomCircle(random));
  // A random walk: each update moves one object up to ~110 m in each direction.
  const positions = objects.map((object) => ({ ...object.location! }));
  const moves = Array.from({ length: UPDATES_PER_ROUND * (ROUNDS + 1) }, (): Move => {
    const index = Math.floor(random() * OBJECTS);
    const position = positions[index]!;
    position.longitude += (random() * 2 - 1) * 0.001;
    position.latitude += (random() * 2 - 1) * 0.001;
    return { id: `rider/${index}`, longitude: position.longitude, latitude: position.latitude };
  });
  return { objects, circles, moves };
}

/** One way of matching location updates; answers how many membership changes it reported. */
interface Method {
  apply(moves: readonly Move[]): number;
}

/** The matcher: R-tree candidates and the membership map. */
function indexed(world: ReturnType<typeof makeWorld>): Method {
  const matcher = new ObjectMatcher();
  for (const object of world.objects) matcher.upsertObject(object);
  world.circles.forEach((shape, i) => matcher.addSubscription(`s${i}`, { shape }));
  return {
    apply(moves) {
      let changes = 0;
      for (const { id, longitude, latitude } of moves) {
        changes += matcher.upsertObject({ id, label: '', connectionStatus: 'connected', location: { longitude, latitude }, data: {} }).changes.length;
      }
      return changes;
    },
  };
}

/** The baseline: every update tests every subscription (same regions, same membership sets). */
function bruteForce(world: ReturnType<typeof makeWorld>): Method {
  const subscriptions = world.circles.map((shape) => ({ region: new CircleRegion(shape), members: new Set<string>() }));
  for (const object of world.objects) {
    for (const subscription of subscriptions) {
      if (subscription.region.contains(object.location!.longitude, object.location!.latitude)) subscription.members.add(object.id);
    }
  }
  return {
    apply(moves) {
      let changes = 0;
      for (const { id, longitude, latitude } of moves) {
        for (const subscription of subscriptions) {
          const inside = subscription.region.contains(longitude, latitude);
          if (inside) {
            subscription.members.add(id);
            changes += 1;
          } else if (subscription.members.delete(id)) {
            changes += 1;
          }
        }
      }
      return changes;
    },
  };
}

/** CPU microseconds (user + system) per update for one round. */
function measure(method: Method, moves: readonly Move[]): { micros: number; changes: number } {
  const before = process.cpuUsage();
  const changes = method.apply(moves);
  const used = process.cpuUsage(before);
  return { micros: (used.user + used.system) / moves.length, changes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * In-process, no server: the matching cost of one object location update with 10,000 objects and
 * 1,000 circle subscriptions (200 m to 5 km) in a city, through `ObjectMatcher` (R-tree of
 * subscription boxes plus the membership map) and through a loop over every subscription, on the
 * same seeded world, rounds interleaved.
 */
export const geoMatchingCase: BenchCase = {
  id: 'geo',
  title: 'Geo matching per location update (objects, in-process)',
  async run() {
    const world = makeWorld();
    const setupStarted = performance.now();
    const methods = { indexed: indexed(world), bruteForce: bruteForce(world) };
    const setupMs = performance.now() - setupStarted;
    // Warm-up round (JIT), then the measured rounds, each method on the same moves.
    const warmup = world.moves.slice(0, UPDATES_PER_ROUND);
    methods.indexed.apply(warmup);
    methods.bruteForce.apply(warmup);
    await waitForQuietMachine('geo');
    const samples = { indexed: [] as number[], bruteForce: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const moves = world.moves.slice(round * UPDATES_PER_ROUND, (round + 1) * UPDATES_PER_ROUND);
      const a = measure(methods.indexed, moves);
      const b = measure(methods.bruteForce, moves);
      // Both report one change per subscription the object is in (or leaves): the same work done.
      if (a.changes !== b.changes) throw new Error(`indexed reported ${a.changes} changes, brute force ${b.changes}`);
      samples.indexed.push(a.micros);
      samples.bruteForce.push(b.micros);
    }
    const ours = median(samples.indexed);
    const baseline = median(samples.bruteForce);
    progress('geo', `${formatNumber(ours, 2)} µs per update indexed, ${formatNumber(baseline, 2)} µs brute force (${formatNumber(baseline / ours, 1)}×)`);
    const rows: BenchRow[] = [
      {
        id: 'geo.update',
        label: `Matching one location update, ${formatNumber(OBJECTS)} objects × ${formatNumber(SUBSCRIPTIONS)} circle subscriptions (CPU µs)`,
        unit: 'µs',
        better: 'lower',
        value: ours,
        baseline,
        baselineLabel: 'a loop over every subscription',
      },
    ];
    return {
      rows,
      details: { objects: OBJECTS, subscriptions: SUBSCRIPTIONS, updatesPerRound: UPDATES_PER_ROUND, rounds: ROUNDS, samples, setupMs },
      notes: [
        `ObjectMatcher.upsertObject for a moving object: the R-tree of subscription boxes gives the circles it may enter, the membership ` +
          `map the ones it may leave, and only those get the haversine test. Median of ${ROUNDS} interleaved rounds of ` +
          `${formatNumber(UPDATES_PER_ROUND)} updates, CPU time of this process; both methods report the same changes. ` +
          `Setup (10,000 objects, 1,000 subscriptions, both methods) took ${formatNumber(setupMs)} ms.`,
      ],
    };
  },
};
