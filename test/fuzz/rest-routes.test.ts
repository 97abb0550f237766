import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { capturedLog } from './support/captured-log.js';
import { CONNECTION_PLACEHOLDER } from './support/domain-values.js';
import { FUZZ_PRINCIPAL_NAMES, FUZZ_PRINCIPALS, refusedTokens } from './support/fuzz-principals.js';
import { fuzzServerOptions } from './support/fuzz-server-options.js';
import { fuzzAssert, runsFor, timeoutFor } from './support/fuzz-settings.js';
import { FuzzSocket } from './support/fuzz-socket.js';
import { FuzzStats } from './support/fuzz-stats.js';
import { mib, retainedHeapBytes } from './support/heap.js';
import { rawHttp, rawUpgrade, type RawResponse } from './support/raw-http.js';
import { registeredRoutes } from './support/registered-routes.js';
import {
  anyPath,
  DELIVERY_PLACEHOLDER,
  fuzzedRoutes,
  restRequest,
  WEBHOOK_PLACEHOLDER,
  type RestFuzzContext,
  type RestRequest,
} from './support/rest-requests.js';
import { preview, restErrorProblem } from './support/typed-error.js';

/**
 * Every REST route (and random paths), fuzzed with valid and invalid parameters, queries, bodies
 * and headers, with tokens of every kind across two realms, on a development-mode server (so that
 * `/auth/dev-token` and the demo's static files are served too). Properties: no 5xx, every error
 * a typed `{ error, code, message, details? }` body whose status matches its code, a known-good
 * request still answered after each, no error logged, memory flat.
 */

const CI_RUNS = 2_000;
const CI_MEMORY_RUNS = 600;
const CI_UPGRADE_RUNS = 200;
const MAX_HEAP_GROWTH_BYTES = 30 * 1024 * 1024;
/** History bounds well under the heap bound, so that the memory run tells "bounded" from "grows". */
const HISTORY_LIMITS = { maxStreamBytes: 256 * 1024, maxRealmBytes: 4 * 1024 * 1024, maxNodeBytes: 6 * 1024 * 1024 };
const NEAR_LIMIT_BLOB = 'x'.repeat(60_000);

/**
 * Webhook endpoint URLs that never reach a real host: unresolvable (RFC 6761 `.invalid`), private
 * or loopback in several spellings (refused by the address guard), malformed. No public address:
 * the fuzzer must never send traffic off the machine (6to4 and Teredo forms, which route through
 * public relays, are left to the address guard's unit tests).
 */
const WEBHOOK_URLS = [
  'https://hooks.invalid/fuzz',
  'https://hooks.invalid/fuzz',
  'https://hooks.invalid/fuzz',
  'https://a.hooks.invalid/x?y=1',
  'https://a.hooks.invalid/x?y=1',
  'http://127.0.0.1:1/refused',
  'http://localhost:1/x',
  'http://[::1]:1/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::127.0.0.1]/',
  'http://[::ffff:0:7f00:1]/',
  'http://10.0.0.1/',
  'http://169.254.169.254/latest/meta-data',
  'http://0x7f000001/',
  'http://2130706433/',
  'ftp://hooks.invalid/x',
  'https://hooks.invalid/#fragment',
  'not a url',
  'http://',
  'javascript:alert(1)',
];

const log = capturedLog();
const stats = new FuzzStats();
let t: TestServer;
let context: RestFuzzContext;
let goodToken = '';
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const members: FuzzSocket[] = [];
/** Ids the server handed out, for the routes that address them. */
const seen = { webhooks: [] as string[], deliveries: [] as string[] };

beforeAll(async () => {
  t = await startTestServer(
    fuzzServerOptions({
      logger: log.logger,
      developmentMode: true,
      history: HISTORY_LIMITS,
      // Deliveries to the unresolvable endpoints fail fast and retry a little, so that delivery
      // logs and dead letters fill up while the fuzzer runs.
      webhooks: { requestTimeoutMs: 1_000, retryDelaysMs: [20, 50], retryJitter: 0, pollIntervalMs: 100, endpointCacheMs: 0 },
    }),
  );
  const tokens: string[] = [];
  for (const name of FUZZ_PRINCIPAL_NAMES) tokens.push(await t.token(FUZZ_PRINCIPALS[name]));
  // Backends use REST most: their tokens come up more often, so that more requests get past permissions.
  for (const name of ['service', 'admin', 'root'] as const) tokens.push(await t.token(FUZZ_PRINCIPALS[name]));
  goodToken = await t.token(FUZZ_PRINCIPALS.service);
  context = { tokens, refusedTokens: await refusedTokens(t.secret, goodToken), webhookUrls: WEBHOOK_URLS };
  // Members for the channel, presence and direct-message routes to find.
  const client = await FuzzSocket.connect(t.url, await t.token(FUZZ_PRINCIPALS.client));
  const provider = await FuzzSocket.connect(t.url, await t.token(FUZZ_PRINCIPALS.provider));
  members.push(client, provider);
  await client.request('channel:join', [{ channel: 'room-1', state: { status: 'here' } }], 5_000);
  await client.request('document:open', [{ document: { service: 'notes', id: 'a' } }], 5_000);
  await provider.request('channel:join', [{ channel: 'lobby' }], 5_000);
});

afterAll(async () => {
  for (const member of members) member.close();
  agent.destroy();
  probeAgent.destroy();
  await t?.close();
});

function describeRequest(request: RestRequest): string {
  const body = request.body === undefined ? '' : ` body ${preview(typeof request.body === 'string' ? request.body : `<${request.body.byteLength} bytes>`)}`;
  return `${request.method} ${preview(request.path, 200)} (${request.route}) headers ${preview(request.headers, 200)}${body}`;
}

/** Fills in ids the server handed out earlier, so that webhook and delivery routes find something. */
function withSeenIds(request: RestRequest): RestRequest {
  const webhook = seen.webhooks.at(-1) ?? 'wh_none';
  const delivery = seen.deliveries.at(-1) ?? 'dlv_none';
  const connection = members[0]?.id ?? 'none';
  const fill = (text: string): string =>
    text
      .replaceAll(JSON.stringify(CONNECTION_PLACEHOLDER), JSON.stringify(connection))
      .replaceAll(WEBHOOK_PLACEHOLDER, webhook)
      .replaceAll(encodeURIComponent(WEBHOOK_PLACEHOLDER), webhook)
      .replaceAll(DELIVERY_PLACEHOLDER, delivery)
      .replaceAll(encodeURIComponent(DELIVERY_PLACEHOLDER), delivery);
  return { ...request, path: fill(request.path), ...(typeof request.body === 'string' ? { body: fill(request.body) } : {}) };
}

function remember(body: string): void {
  for (const id of body.match(/\bwh_[A-Za-z0-9]{10,}/g) ?? []) if (!seen.webhooks.includes(id)) seen.webhooks.push(id);
  for (const id of body.match(/\bdlv_[A-Za-z0-9]{10,}/g) ?? []) if (!seen.deliveries.includes(id)) seen.deliveries.push(id);
  seen.webhooks.splice(0, Math.max(0, seen.webhooks.length - 20));
  seen.deliveries.splice(0, Math.max(0, seen.deliveries.length - 20));
}

/**
 * Node's HTTP parser answers a request head (request line and headers) above `maxHeaderSize`
 * (16 KiB) with a bare 431 before any application code runs; that refusal cannot be a typed body.
 */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

function headBytes(request: RestRequest): number {
  return request.method.length + request.path.length + Object.entries(request.headers).reduce((sum, [name, value]) => sum + name.length + value.length + 4, 20);
}

function checkResponse(request: RestRequest, response: RawResponse): void {
  const what = describeRequest(request);
  const text = response.body.toString('utf8');
  if (response.status >= 500) throw new Error(`${what} answered ${response.status}: ${preview(text, 600)}`);
  if (response.status === 431 && headBytes(request) > NODE_MAX_HEADER_BYTES - 1024) {
    stats.record('(request head over 16 KiB)', '431');
    return;
  }
  // Engine.IO answers its own path with its own error bodies; only "no 5xx" applies there.
  if (request.path.startsWith('/socket.io')) {
    stats.record('(socket.io path)', String(response.status));
    return;
  }
  if (response.status < 400 || request.method === 'HEAD') {
    stats.record(request.route, String(response.status));
    if (response.status < 300) remember(text);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what} answered ${response.status} with a body that is not JSON: ${preview(text, 300)}`);
  }
  const problem = restErrorProblem(response.status, body);
  if (problem !== undefined) throw new Error(`${what} answered ${response.status} with a bad error body (${problem}): ${preview(text, 600)}`);
  stats.record(request.route, `${response.status} ${(body as { code: string }).code}`);
}

/** The known-good request, on its own connection: a document list must still answer 200. */
async function probe(after: string): Promise<void> {
  let response: RawResponse;
  try {
    response = await rawHttp(probeAgent, t.url, {
      method: 'GET',
      path: '/api/sync/notes/documents?limit=1',
      headers: { authorization: `Bearer ${goodToken}`, 'x-realm': 'london' },
    });
  } catch (err) {
    throw new Error(`the known-good request failed after ${after}: ${(err as Error).message}`);
  }
  if (response.status !== 200) throw new Error(`the known-good request answered ${response.status} after ${after}: ${preview(response.body.toString('utf8'))}`);
}

function checkServerLog(after: string): void {
  const errors = log.takeErrors();
  if (errors.length > 0) throw new Error(`the server logged ${errors.length} error(s) after ${after}: ${preview(errors[0], 1500)}`);
}

async function send(drawn: RestRequest): Promise<void> {
  const request = withSeenIds(drawn);
  const what = describeRequest(request);
  let response: RawResponse;
  try {
    response = await rawHttp(agent, t.url, request);
  } catch (err) {
    throw new Error(`${what} got no answer: ${(err as Error).message}`);
  }
  checkResponse(request, response);
  await probe(what);
  checkServerLog(what);
}

function requestBatches(): fc.Arbitrary<RestRequest[]> {
  return fc.array(restRequest(context), { minLength: 1, maxLength: 4 });
}

/** Fuzzed batches mixed with near-limit publishes and broadcasts to fresh topics and channels. */
function pressureBatches(): fc.Arbitrary<RestRequest[]> {
  const headers = { authorization: `Bearer ${goodToken}`, 'content-type': 'application/json', 'x-realm': 'london' };
  const pressure = fc.nat().map((n): RestRequest[] => [
    {
      route: 'POST /api/events',
      method: 'POST',
      path: '/api/events',
      headers,
      body: JSON.stringify({ topic: `mem.t${n}`, payload: { blob: NEAR_LIMIT_BLOB } }),
    },
    {
      route: 'POST /api/socket/broadcast',
      method: 'POST',
      path: '/api/socket/broadcast',
      headers,
      body: JSON.stringify({ channel: `mem-${n}`, event: 'e', data: { blob: NEAR_LIMIT_BLOB } }),
    },
  ]);
  return fc.oneof(requestBatches(), pressure);
}

function sendAll(requests: RestRequest[]): Promise<void> {
  return log.isolate(async () => {
    for (const request of requests) await send(request);
  });
}

describe('fuzzing every REST route', () => {
  it('has a request arbitrary for every registered route', () => {
    expect(fuzzedRoutes(context).sort()).toEqual(registeredRoutes(t.server.app).sort());
  });

  it(
    'answers every request without a 5xx, with typed error bodies, stays up and logs no error',
    async () => {
      await fuzzAssert('rest routes', CI_RUNS, requestBatches(), sendAll);
      stats.print('rest routes: answers per route');
    },
    timeoutFor(CI_RUNS, 40),
  );

  it(
    'answers a WebSocket upgrade on any path: Socket.IO on its path, a typed 404 elsewhere, never a reset',
    async () => {
      const paths = fc.oneof(anyPath, fc.constantFrom(...fuzzedRoutes(context).map((route) => (route.split(' ')[1] as string).replace(/[:*][A-Za-z]+/g, 'x'))));
      await fuzzAssert('websocket upgrades', CI_UPGRADE_RUNS, paths, (path) =>
        log.isolate(async () => {
          let response: RawResponse;
          try {
            response = await rawUpgrade(t.url, path, { authorization: `Bearer ${goodToken}` });
          } catch (err) {
            throw new Error(`an upgrade on ${preview(path)} got no answer: ${(err as Error).message}`);
          }
          stats.record('(websocket upgrade)', String(response.status));
          if (response.status === 431 && path.length > NODE_MAX_HEADER_BYTES - 1024) return;
          if (response.status >= 500) throw new Error(`an upgrade on ${preview(path)} answered ${response.status}`);
          if (!path.startsWith('/socket.io/')) {
            let body: unknown;
            try {
              body = JSON.parse(response.body.toString('utf8'));
            } catch {
              throw new Error(`an upgrade on ${preview(path)} answered ${response.status} without a JSON body`);
            }
            const problem = response.status === 404 ? restErrorProblem(404, body) : `status ${response.status}, not 404`;
            if (problem !== undefined) throw new Error(`an upgrade on ${preview(path)}: ${problem}`);
          }
          await probe(`an upgrade on ${preview(path)}`);
          checkServerLog(`an upgrade on ${preview(path)}`);
        }),
      );
    },
    timeoutFor(CI_UPGRADE_RUNS, 40),
  );

  it(
    'keeps memory flat: heap after GC',
    async () => {
      const before = await retainedHeapBytes();
      await fuzzAssert('rest routes, memory run', CI_MEMORY_RUNS, pressureBatches(), sendAll);
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
