import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { matchesFilter, type SubscriptionFilter } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { capturedLog } from './support/captured-log.js';
import { filter as filterArbitrary, LONG_ID } from './support/domain-values.js';
import { FUZZ_PRINCIPALS } from './support/fuzz-principals.js';
import { fuzzServerOptions } from './support/fuzz-server-options.js';
import { fuzzAssert, timeoutFor } from './support/fuzz-settings.js';
import { FuzzSocket } from './support/fuzz-socket.js';
import { FuzzStats } from './support/fuzz-stats.js';
import { encodeJson } from './support/fuzz-json.js';
import { preview, typedErrorProblem } from './support/typed-error.js';

/**
 * Subscription filters against the events published after them: a subscriber subscribes with a
 * fuzzed filter (the allowed shapes, refused shapes, and `like` patterns that are exponential for
 * a backtracking matcher), a publisher publishes payloads built to match or miss it. An accepted
 * filter must deliver an event exactly when `matchesFilter` (shared/filter.ts, the documented
 * semantics) says it matches; a refused one must be refused with a typed error; and no publish may
 * take seconds (a pathological pattern blocks the event loop for every tenant).
 */

const CI_RUNS = 1_500;
const ACK_TIMEOUT_MS = 5_000;
/**
 * No publish may keep its publisher waiting this long. The server runs in this process, so a
 * matcher that blocks the event loop also delays this test's timers; the elapsed time, measured
 * after the answer, still tells.
 */
const SLOW_PUBLISH_MS = 4_000;
const TOPIC = 'filter.fuzz';
const MARKER_TOPIC = 'filter.marker';

const log = capturedLog();
const stats = new FuzzStats();
let t: TestServer;
let subscriber: FuzzSocket;
let publisher: FuzzSocket;
/** Deliveries to the subscriber, in order: `[subscriptionId, payload]`. */
let deliveries: { topic: string; payload: unknown }[] = [];
let waiting: (() => void) | undefined;
let maxFrameBytes = 0;

beforeAll(async () => {
  t = await startTestServer(fuzzServerOptions({ logger: log.logger }));
  maxFrameBytes = t.server.io.engine.opts.maxHttpBufferSize ?? 1_000_000;
  subscriber = await FuzzSocket.connect(t.url, await t.token(FUZZ_PRINCIPALS.client));
  publisher = await FuzzSocket.connect(t.url, await t.token({ sub: 'fz-filter-publisher', realm: 'london', permissions: ['service'] }));
  subscriber.onEvent = (event, value) => {
    if (event !== 'event') return;
    const { topic, payload } = value as { topic: string; payload: unknown };
    deliveries.push({ topic, payload });
    if (topic === MARKER_TOPIC) waiting?.();
  };
  const [marker] = await subscriber.request('subscribe', [{ subscriptionId: 'marker', topic: MARKER_TOPIC }], ACK_TIMEOUT_MS);
  if ((marker as { ok?: unknown }).ok !== true) throw new Error(`could not subscribe to the marker topic: ${preview(marker)}`);
});

afterAll(async () => {
  subscriber?.close();
  publisher?.close();
  await t?.close();
});

/** A value for one filter condition: one that satisfies it, one close to it, or anything. */
function valueFor(condition: unknown): fc.Arbitrary<unknown> {
  const other = fc.oneof(fc.string({ maxLength: 10 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null), fc.constant(LONG_ID));
  if (typeof condition !== 'object' || condition === null) return fc.oneof({ weight: 3, arbitrary: fc.constant(condition) }, { weight: 1, arbitrary: other });
  const record = condition as { in?: unknown; like?: unknown };
  if (Array.isArray(record.in) && record.in.length > 0)
    return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(record.in as unknown[])) }, { weight: 1, arbitrary: other });
  if (typeof record.like === 'string') {
    const pattern = record.like;
    return fc.constantFrom(
      pattern.replaceAll('*', 'x'),
      pattern.replaceAll('*', ''),
      pattern.replaceAll('*', 'a/b'),
      pattern,
      LONG_ID,
      LONG_ID,
      LONG_ID,
      `riders/${LONG_ID}`,
      'riders/7',
    );
  }
  return other;
}

/** Sets `value` at a dotted path, creating the objects on the way (own properties, `__proto__` too). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let current = target;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      Object.defineProperty(current, segment, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    const existing = Object.prototype.hasOwnProperty.call(current, segment) ? current[segment] : undefined;
    const next = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
    Object.defineProperty(current, segment, { value: next, enumerable: true, writable: true, configurable: true });
    current = next;
  });
}

/** Payloads for a filter: each of its keys set (or not) to a value that meets or misses its condition. */
function payloadsFor(filter: unknown): fc.Arbitrary<Record<string, unknown>[]> {
  const keys = typeof filter === 'object' && filter !== null && !Array.isArray(filter) ? Object.keys(filter) : [];
  const conditions = filter as Record<string, unknown>;
  const one = fc
    .tuple(
      ...keys.map((key) => fc.option(valueFor(conditions[key]), { freq: 6 })),
      fc.dictionary(fc.constantFrom('extra', 'text'), fc.string({ maxLength: 5 }), { maxKeys: 1 }),
    )
    .map((values) => {
      const payload: Record<string, unknown> = { ...(values[values.length - 1] as Record<string, string>) };
      keys.forEach((key, index) => {
        const value = values[index];
        if (value !== null) setPath(payload, key, value);
      });
      return payload;
    });
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

async function request(socket: FuzzSocket, event: string, payload: unknown, what: string): Promise<{ ok: boolean; error?: unknown }> {
  const started = Date.now();
  let answer: unknown[];
  try {
    answer = await socket.request(event, [payload], ACK_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`${event} got no answer (${what}): ${(err as Error).message}`);
  }
  const elapsed = Date.now() - started;
  if (elapsed > SLOW_PUBLISH_MS) throw new Error(`${event} took ${elapsed} ms (${what}): the event loop was blocked`);
  return answer[0] as { ok: boolean; error?: unknown };
}

/**
 * Publishes the payload, then a marker; resolves with whether the payload reached the subscriber
 * before the marker, or `undefined` when the publish was refused (with a typed error).
 */
async function delivered(payload: Record<string, unknown>, what: string): Promise<boolean | undefined> {
  deliveries = [];
  let timer: NodeJS.Timeout | undefined;
  const markerArrived = new Promise<void>((resolve, reject) => {
    waiting = resolve;
    timer = setTimeout(
      () => reject(new Error(`the marker event never reached the subscriber (${what}); connection ${subscriber.closedBecause ?? 'open'}`)),
      ACK_TIMEOUT_MS,
    );
  }).finally(() => clearTimeout(timer));
  // Handled where it is awaited; a refused publish below never waits for it.
  markerArrived.catch(() => undefined);
  const published = await request(publisher, 'topic:publish', { topic: TOPIC, payload }, what);
  if (!published.ok) {
    const problem = typedErrorProblem(published.error);
    if (problem !== undefined) throw new Error(`publish refused with a bad error (${what}): ${problem}`);
    waiting = undefined;
    clearTimeout(timer);
    stats.record('publishes', `refused ${String((published.error as { code?: unknown }).code)}`);
    return undefined;
  }
  const marker = await request(publisher, 'topic:publish', { topic: MARKER_TOPIC, payload: {} }, what);
  if (!marker.ok) throw new Error(`the marker publish was refused: ${preview(marker)}`);
  // Deliveries to one connection keep their order, so the marker comes after the payload (if it comes).
  await markerArrived;
  return deliveries.some((delivery) => delivery.topic === TOPIC);
}

/** A value as the server receives it: through JSON (which drops `undefined`). */
function asSent(value: unknown): unknown {
  return JSON.parse(encodeJson(value).text) as unknown;
}

describe('fuzzing subscription filters', () => {
  it(
    'delivers exactly the events the documented filter semantics match, refuses bad filters with a typed error, never blocks',
    async () => {
      const runs = filterArbitrary.chain((filter) => fc.tuple(fc.constant(filter), payloadsFor(filter)));
      await fuzzAssert('subscription filters', CI_RUNS, runs, ([filter, payloads]) =>
        log.isolate(async () => {
          const what = `filter ${preview(filter, 400)}`;
          // Above the transport limit, or binary and too deep, Socket.IO closes the connection: by design, not what this fuzzes.
          const packet = FuzzSocket.inspect('subscribe', [{ subscriptionId: 'fuzzed', topic: TOPIC, filter }]);
          if (packet.bytes > maxFrameBytes || packet.protocolViolation) return;
          const subscribed = await request(subscriber, 'subscribe', { subscriptionId: 'fuzzed', topic: TOPIC, filter }, what);
          if (!subscribed.ok) {
            const problem = typedErrorProblem(subscribed.error);
            if (problem !== undefined) throw new Error(`subscribe refused with a bad error (${what}): ${problem}`);
            stats.record('subscribe', String((subscribed.error as { code?: unknown }).code));
            // A refused subscription must not linger: nothing is delivered for the topic.
            await subscriber.request('unsubscribe', [{ subscriptionId: 'fuzzed' }], ACK_TIMEOUT_MS);
            return;
          }
          stats.record('subscribe', 'ok');
          // A filter is a JSON object: binary (a typed array sent as an attachment) is not one.
          if (ArrayBuffer.isView(filter)) throw new Error(`a binary filter (${preview(filter)}) was accepted; it must be refused with INVALID_ARGUMENT`);
          for (const payload of payloads) {
            // What the server got: the JSON of both (undefined fields dropped).
            const expected = matchesFilter(asSent(filter) as SubscriptionFilter, asSent(payload));
            const actual = await delivered(payload, `${what}, payload ${preview(payload, 400)}`);
            if (actual === undefined) continue;
            stats.record('deliveries', `${expected ? 'match' : 'miss'}${actual === expected ? '' : ' WRONG'}`);
            if (actual !== expected)
              throw new Error(`${what}: payload ${preview(payload, 400)} was ${actual ? '' : 'not '}delivered, but matchesFilter says ${expected}`);
          }
          const errors = log.takeErrors();
          if (errors.length > 0) throw new Error(`the server logged ${errors.length} error(s) after ${what}: ${preview(errors[0], 1500)}`);
        }),
      );
      stats.print('subscription filters');
    },
    timeoutFor(CI_RUNS, 40),
  );
});
