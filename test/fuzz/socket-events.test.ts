import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENT_NAMES } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { capturedLog } from './support/captured-log.js';
import { CONNECTION_PLACEHOLDER } from './support/domain-values.js';
import { FUZZ_PRINCIPAL_NAMES, FUZZ_PRINCIPALS, REALMS, refusedTokens, type FuzzPrincipalName } from './support/fuzz-principals.js';
import { fuzzAssert, runsFor, timeoutFor } from './support/fuzz-settings.js';
import { FuzzSocket } from './support/fuzz-socket.js';
import { FuzzStats } from './support/fuzz-stats.js';
import { mib, retainedHeapBytes } from './support/heap.js';
import { socketCall, socketRequestArbitraries, type SocketCall } from './support/socket-requests.js';
import { fuzzServerOptions } from './support/fuzz-server-options.js';
import { preview, typedErrorProblem } from './support/typed-error.js';

/**
 * Every client event, fuzzed with valid and invalid payloads from connections holding every kind
 * of token, across two realms. After each request the same connection must still answer a
 * known-good request; every refusal must be a typed error with a registry code and never
 * INTERNAL; the server must log no error; and memory must stay flat.
 */

/** A request that gets no answer within this is a failure (a hung handler or a blocked event loop). */
const ACK_TIMEOUT_MS = 5_000;
/** Heap growth allowed over the memory run, generous: the point is "not hundreds of MB". */
const MAX_HEAP_GROWTH_BYTES = 30 * 1024 * 1024;

const CI_RUNS = 3_000;
/**
 * History bounds well under the heap bound, so that the memory run can tell "bounded" from
 * "grows with every message": what is kept must stay within these whatever is published.
 */
const HISTORY_LIMITS = { maxStreamBytes: 256 * 1024, maxRealmBytes: 4 * 1024 * 1024, maxNodeBytes: 6 * 1024 * 1024 };
/** A payload near the 64 KiB limit, for the memory run's pressure on history. */
const NEAR_LIMIT_BLOB = 'x'.repeat(60_000);
const CI_MEMORY_RUNS = 800;

interface Slot {
  name: FuzzPrincipalName;
  token: string;
  socket: FuzzSocket;
}

const log = capturedLog();
const stats = new FuzzStats();
let t: TestServer;
const slots: Slot[] = [];
let tokens: string[] = [];
/** Socket.IO closes a connection whose frame exceeds this (its last guard, by design); the fuzzer stays below. */
let maxFrameBytes = 0;

async function connect(name: FuzzPrincipalName, token: string): Promise<Slot> {
  try {
    return { name, token, socket: await FuzzSocket.connect(t.url, token) };
  } catch (err) {
    throw new Error(`${name} could not connect: ${(err as Error).message}`);
  }
}

beforeAll(async () => {
  t = await startTestServer(fuzzServerOptions({ logger: log.logger, history: HISTORY_LIMITS }));
  maxFrameBytes = t.server.io.engine.opts.maxHttpBufferSize ?? 1_000_000;
  const valid: string[] = [];
  for (const name of FUZZ_PRINCIPAL_NAMES) {
    const { sub, ...claims } = FUZZ_PRINCIPALS[name];
    const token = await t.token(FUZZ_PRINCIPALS[name]);
    valid.push(token);
    // The same user with other grants, for auth:refresh: narrower, wider, in the other realm, none.
    valid.push(await t.token({ sub, realm: 'paris' }), await t.token({ sub, ...claims, permissions: ['admin'] }), await t.token({ sub }));
    slots.push(await connect(name, token));
  }
  tokens = [...valid, ...(await refusedTokens(t.secret, valid[0] as string))];
});

afterAll(async () => {
  for (const slot of slots) slot.socket.close();
  await t?.close();
});

/** Replaces the connection placeholder with a live connection id, so direct messages reach someone. */
function withLiveIds(payload: unknown, index: number): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const record = payload as Record<string, unknown>;
  if (record.connectionId !== CONNECTION_PLACEHOLDER) return payload;
  const target = slots[index % slots.length];
  return { ...record, connectionId: target?.socket.id ?? 'gone' };
}

function describeCall(call: SocketCall): string {
  return `${call.mode} "${preview(call.event, 60)}" from ${slots[call.slot % slots.length]?.name ?? '?'}: ${preview(call.payload)}`;
}

function checkAnswer(call: SocketCall, answer: unknown): void {
  if (typeof answer !== 'object' || answer === null) throw new Error(`${describeCall(call)} was answered with ${preview(answer)}`);
  const { ok } = answer as { ok?: unknown };
  const kind = (CLIENT_EVENT_NAMES as readonly string[]).includes(call.event) ? call.event : '(unknown event)';
  stats.record(kind, ok === true ? 'ok' : String((answer as { error?: { code?: unknown } }).error?.code));
  if (ok === true) {
    if (!('data' in answer)) throw new Error(`${describeCall(call)} answered ok without data`);
    return;
  }
  if (ok !== false) throw new Error(`${describeCall(call)} was answered without ok: ${preview(answer)}`);
  const problem = typedErrorProblem((answer as { error?: unknown }).error);
  if (problem !== undefined) throw new Error(`${describeCall(call)} was refused with a bad error: ${problem}`);
}

function checkNotices(slot: Slot): void {
  const notices = slot.socket.notices.splice(0);
  for (const { event, value } of notices) {
    const error = event === 'subscription:revoked' ? (value as { error?: unknown } | null)?.error : value;
    const problem = typedErrorProblem(error);
    if (problem !== undefined) throw new Error(`${slot.name} got a ${event} with a bad error: ${problem}`);
  }
}

function checkServerLog(after: string): void {
  const errors = log.takeErrors();
  if (errors.length > 0) throw new Error(`the server logged ${errors.length} error(s) after ${after}: ${preview(errors[0], 1500)}`);
}

/** A connection the server closed during an earlier run is opened again, so that runs stay independent. */
async function usableSlot(index: number): Promise<Slot> {
  const at = index % slots.length;
  const slot = slots[at] as Slot;
  if (slot.socket.connected) return slot;
  const fresh = await connect(slot.name, slot.token);
  slots[at] = fresh;
  return fresh;
}

/** The known-good request: refresh back to the connection's own token (which also undoes a fuzzed refresh). */
async function probe(slot: Slot, after: string): Promise<void> {
  if (!slot.socket.connected) throw new Error(`the server closed the ${slot.name} connection (${slot.socket.closedBecause ?? '?'}) after ${after}`);
  let answer: unknown;
  try {
    [answer] = await slot.socket.request('auth:refresh', [{ token: slot.token }], ACK_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`the known-good request on ${slot.name} failed after ${after}: ${(err as Error).message}`);
  }
  if ((answer as { ok?: unknown } | null)?.ok !== true)
    throw new Error(`the known-good request on ${slot.name} was refused after ${after}: ${preview(answer)}`);
}

/** The arguments of a call as sent (the acknowledgement is the packet's id, not an argument). */
function argumentsOf(call: SocketCall, payload: unknown): unknown[] {
  if (call.mode === 'ackOnly') return [];
  if (call.mode === 'extra') return [payload, call.extra];
  return [payload];
}

/** With `FUZZ_TRACE=<file>`, every call and what it got are appended there (to find what led up to a failure). */
const TRACE_FILE = process.env.FUZZ_TRACE;

function trace(slot: Slot, call: SocketCall, outcome: string): void {
  if (TRACE_FILE === undefined || TRACE_FILE === '') return;
  appendFileSync(
    TRACE_FILE,
    `${Date.now()} ${slot.name} ${slot.socket.id} ${call.mode} ${preview(call.event, 40)} ${preview(call.payload, 400)} -> ${outcome}\n`,
  );
}

async function send(call: SocketCall): Promise<void> {
  let slot = await usableSlot(call.slot);
  const args = argumentsOf(call, withLiveIds(call.payload, call.slot + 1));
  const packet = FuzzSocket.inspect(call.event, args);
  // Above the transport limit Socket.IO closes the connection on purpose; that is not what this fuzzes.
  if (packet.bytes > maxFrameBytes) return;
  const { protocolViolation } = packet;
  const what = describeCall(call);
  if (call.mode === 'none') {
    slot.socket.emit(call.event, args);
    trace(slot, call, 'sent');
  } else {
    let answer: unknown[] | undefined;
    try {
      answer = await slot.socket.request(call.event, args, ACK_TIMEOUT_MS);
      trace(slot, call, preview(answer, 120));
    } catch (err) {
      trace(slot, call, `no answer: ${(err as Error).message}`);
      if (!(protocolViolation && !slot.socket.connected)) throw new Error(`${what} got no answer: ${(err as Error).message}`);
    }
    if (answer !== undefined) {
      if (answer.length !== 1) throw new Error(`${what} was answered with ${answer.length} arguments: ${preview(answer)}`);
      checkAnswer(call, answer[0]);
    }
  }
  if (protocolViolation) {
    // The connection may close at any moment for it (also after an answer); the server must
    // still take a new connection.
    try {
      await probe(slot, what);
    } catch (err) {
      if (slot.socket.connected) throw err;
      slot = await usableSlot(call.slot);
      await probe(slot, what);
    }
  } else {
    await probe(slot, what);
  }
  checkNotices(slot);
  checkServerLog(what);
}

function callBatches(): fc.Arbitrary<SocketCall[]> {
  return fc.array(socketCall(socketRequestArbitraries(tokens), slots.length), { minLength: 1, maxLength: 4 });
}

/**
 * Fuzzed batches mixed with pressure: near-limit messages to fresh topics and channels (each a
 * new history stream), the way a tenant once grew the heap by 250 MB in 5 s.
 */
function pressureBatches(): fc.Arbitrary<SocketCall[]> {
  const service = FUZZ_PRINCIPAL_NAMES.indexOf('service');
  const pressure = fc.nat().map((n): SocketCall[] => [
    { slot: service, mode: 'ack', event: 'topic:publish', payload: { realm: 'london', topic: `mem.t${n}`, payload: { blob: NEAR_LIMIT_BLOB } } },
    { slot: service, mode: 'ack', event: 'channel:publish', payload: { realm: 'paris', channel: `mem-${n}`, event: 'e', data: { blob: NEAR_LIMIT_BLOB } } },
  ]);
  return fc.oneof(callBatches(), pressure);
}

function sendAll(calls: SocketCall[]): Promise<void> {
  return log.isolate(async () => {
    for (const call of calls) await send(call);
  });
}

/** Resolves once the server has seen `count` disconnects (connections close asynchronously). */
function disconnects(count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = t.server.gateway.onConnectionEvent((change) => {
      if (change.type !== 'disconnect') return;
      seen += 1;
      if (seen < count) return;
      off();
      resolve();
    });
  });
}

describe('fuzzing every socket event', () => {
  it('has a request arbitrary for every client event', () => {
    expect(Object.keys(socketRequestArbitraries(['x'])).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
  });

  it(
    'answers every request with a result or a typed error, keeps the connection usable and logs no error',
    async () => {
      await fuzzAssert('socket events', CI_RUNS, callBatches(), sendAll);
      stats.print('socket events: answers per event');
    },
    timeoutFor(CI_RUNS, 40),
  );

  it(
    'keeps memory flat: heap after GC, subscriptions, connections and presence entries',
    async () => {
      const before = await retainedHeapBytes();
      await fuzzAssert('socket events, memory run', CI_MEMORY_RUNS, pressureBatches(), sendAll);
      const ids = slots.map((slot) => slot.socket.id);
      const closed = disconnects(slots.length);
      for (const slot of slots) slot.socket.close();
      await closed;
      const gateway = t.server.gateway;
      // The removal of a closed connection's presence entries is queued; wait for it.
      await gateway.presence.idle();
      for (const id of ids) expect(gateway.subscriptions.count(id)).toBe(0);
      expect(gateway.connectionCount).toBe(0);
      for (const realm of REALMS) {
        expect(await gateway.presence.connectionCount(realm)).toBe(0);
        expect(await gateway.presence.channels(realm)).toEqual([]);
      }
      const after = await retainedHeapBytes();
      const growth = after - before;
      stats.print(`heap: ${mib(before)} before the memory run, ${mib(after)} after, growth ${mib(growth)}`);
      expect(growth, `heap grew by ${mib(growth)} over ${runsFor(CI_MEMORY_RUNS)} runs (from ${mib(before)} to ${mib(after)})`).toBeLessThan(
        MAX_HEAP_GROWTH_BYTES,
      );
    },
    timeoutFor(CI_MEMORY_RUNS, 40),
  );
});
