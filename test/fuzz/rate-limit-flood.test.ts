import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ErrorCode } from '../../shared/index.js';
import { startTestServer, type TestClaims, type TestServer } from '../support/test-server.js';
import { capturedLog } from './support/captured-log.js';
import { fuzzAssert, timeoutFor } from './support/fuzz-settings.js';
import { ConnectRefusedError, FuzzSocket } from './support/fuzz-socket.js';
import { rawHttp } from './support/raw-http.js';
import { everyAction } from './support/fuzz-server-options.js';
import { preview, restErrorProblem, typedErrorProblem } from './support/typed-error.js';

/**
 * Floods with rate limits on: one connection (or one REST caller) fires hundreds of publishes,
 * channel messages, direct messages or subscriptions at once, against limits set low enough that
 * every scope (connection, user, realm) is reached within a CI-sized run. Every answer must be a
 * result or a typed error, the excess `RATE_LIMITED` with `details.retryAfterMs` (over REST: 429
 * with `Retry-After`), the connection must stay usable and the server log no error.
 */

const CI_RUNS = 20;
const ACK_TIMEOUT_MS = 10_000;

const log = capturedLog();
let t: TestServer;
let users = 0;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Low rates, so that a flood of a few hundred reaches each scope; the realm's fills up over the runs. */
const RATES = { perConnection: 20, perUser: 40, perRealm: 400 };

beforeAll(async () => {
  t = await startTestServer({
    logger: log.logger,
    rateLimits: { enabled: true, ...everyAction(RATES), connectionsPerUser: 5 },
  });
});

afterAll(async () => {
  agent.destroy();
  await t?.close();
});

type Flood =
  | 'topic:publish'
  | 'channel:publish'
  | 'direct:send'
  | 'subscribe'
  | 'sync:merge'
  | 'presence:update'
  | 'POST /api/events'
  | 'POST /api/socket/broadcast'
  | 'connections';

/** A fresh user each run, so that per-user limits start empty and runs stay independent. */
async function floodToken(): Promise<string> {
  users += 1;
  // A per grant of C on the channel: publishing to a channel without joining it needs one.
  const claims: TestClaims = {
    sub: `flooder-${users}`,
    realm: 'london',
    permissions: ['client', 'publish'],
    per: { london: { 'channel/flood-room': 'C', 'doc/flood/*': 'CRU' } },
  };
  return t.token(claims);
}

function requestFor(flood: Flood, index: number): [string, Record<string, unknown>] {
  switch (flood) {
    case 'topic:publish':
      return [flood, { topic: 'flood.topic', payload: { index } }];
    case 'channel:publish':
      return [flood, { channel: 'flood-room', event: 'tick', data: { index } }];
    case 'direct:send':
      return [flood, { userId: 'flood-target', event: 'tick', data: { index } }];
    case 'subscribe':
      return [flood, { subscriptionId: `s${index}`, topic: `flood.t${index}` }];
    case 'sync:merge':
      return [flood, { service: 'flood', id: `d${index % 5}`, data: { index } }];
    case 'presence:update':
      return [flood, { channel: 'flood-room', state: { index } }];
    default:
      throw new Error(`not a socket flood: ${flood}`);
  }
}

/** What is wrong with a refusal (a typed error; when RATE_LIMITED, with a positive `details.retryAfterMs`). */
function checkRefusal(error: unknown, rest = false): string | undefined {
  const problem = rest ? undefined : typedErrorProblem(error);
  if (problem !== undefined) return problem;
  const { code, details } = error as { code: string; details?: { retryAfterMs?: unknown } };
  if (code !== ErrorCode.RATE_LIMITED) return undefined;
  const retry = details?.retryAfterMs;
  return typeof retry === 'number' && retry > 0 ? undefined : `RATE_LIMITED without a positive details.retryAfterMs: ${preview(details)}`;
}

async function socketFlood(flood: Flood, count: number): Promise<number> {
  const socket = await FuzzSocket.connect(t.url, await floodToken());
  const target = await FuzzSocket.connect(t.url, await t.token({ sub: 'flood-target', realm: 'london', permissions: ['client'] }));
  try {
    // presence:update needs membership (joining counts against the presence limit too, so first).
    if (flood === 'presence:update') await socket.request('channel:join', [{ channel: 'flood-room' }], ACK_TIMEOUT_MS);
    const answers = await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const [event, payload] = requestFor(flood, index);
        return socket.request(event, [payload], ACK_TIMEOUT_MS);
      }),
    );
    let limited = 0;
    for (const [answer] of answers) {
      const result = answer as { ok?: unknown; error?: unknown };
      if (result.ok === true) continue;
      const problem = checkRefusal(result.error);
      if (problem !== undefined) throw new Error(`${flood} × ${count}: ${problem}`);
      if ((result.error as { code: string }).code === ErrorCode.RATE_LIMITED) limited += 1;
    }
    const [probe] = await socket.request('unsubscribe', [{ subscriptionId: 'probe' }], ACK_TIMEOUT_MS);
    if ((probe as { ok?: unknown }).ok !== true) throw new Error(`after ${flood} × ${count} the connection no longer answers: ${preview(probe)}`);
    return limited;
  } finally {
    socket.close();
    target.close();
  }
}

async function restFlood(flood: Flood, count: number): Promise<number> {
  const token = await floodToken();
  const body = flood === 'POST /api/events' ? { topic: 'flood.rest', payload: {} } : { channel: 'flood-room', event: 'tick', data: {} };
  const path = flood === 'POST /api/events' ? '/api/events' : '/api/socket/broadcast';
  const responses = await Promise.all(
    Array.from({ length: count }, () =>
      rawHttp(agent, t.url, {
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ),
  );
  let limited = 0;
  for (const response of responses) {
    if (response.status < 300) continue;
    const parsed = JSON.parse(response.body.toString('utf8')) as unknown;
    const problem = restErrorProblem(response.status, parsed) ?? checkRefusal(parsed, true);
    if (problem !== undefined) throw new Error(`${flood} × ${count}: ${response.status} ${problem}`);
    if ((parsed as { code: string }).code !== ErrorCode.RATE_LIMITED) continue;
    if (response.headers['retry-after'] === undefined) throw new Error(`${flood} × ${count}: 429 without Retry-After`);
    limited += 1;
  }
  return limited;
}

/** Opens `count` connections of one user at once: those past `connectionsPerUser` are refused RATE_LIMITED. */
async function connectionFlood(count: number): Promise<number> {
  const token = await floodToken();
  // connectionsPerUser is 5: from 8 to 15 attempts at once.
  const attempts = await Promise.allSettled(Array.from({ length: 8 + (count % 8) }, () => FuzzSocket.connect(t.url, token)));
  let limited = 0;
  for (const attempt of attempts) {
    if (attempt.status === 'fulfilled') continue;
    if (!(attempt.reason instanceof ConnectRefusedError)) throw attempt.reason as Error;
    const problem = checkRefusal(attempt.reason.refusal);
    if (problem !== undefined) throw new Error(`connections × ${attempts.length}: ${problem}`);
    if ((attempt.reason.refusal as { code: string }).code === ErrorCode.RATE_LIMITED) limited += 1;
  }
  const open = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
  try {
    const [probe] = await (open[0] as FuzzSocket).request('unsubscribe', [{ subscriptionId: 'probe' }], ACK_TIMEOUT_MS);
    if ((probe as { ok?: unknown }).ok !== true) throw new Error(`after a connection flood the first connection no longer answers: ${preview(probe)}`);
  } finally {
    for (const socket of open) socket.close();
  }
  return limited;
}

describe('fuzzing floods with rate limits on', () => {
  it(
    'answers a flood with results and typed RATE_LIMITED errors, keeps the connection and logs no error',
    async () => {
      await fuzzAssert(
        'rate limit floods',
        CI_RUNS,
        fc.tuple(
          fc.constantFrom<Flood>(
            'topic:publish',
            'channel:publish',
            'direct:send',
            'subscribe',
            'sync:merge',
            'presence:update',
            'POST /api/events',
            'POST /api/socket/broadcast',
            'connections',
          ),
          // Past every burst allowance (twice the rate), small enough for CI.
          fc.integer({ min: 100, max: 300 }),
        ),
        ([flood, count]) =>
          log.isolate(async () => {
            const limited =
              flood === 'connections'
                ? await connectionFlood(count)
                : flood.startsWith('POST ')
                  ? await restFlood(flood, count)
                  : await socketFlood(flood, count);
            if (limited === 0) throw new Error(`${flood} × ${count} was never answered RATE_LIMITED`);
            const errors = log.takeErrors();
            if (errors.length > 0) throw new Error(`the server logged ${errors.length} error(s) after ${flood} × ${count}: ${preview(errors[0], 1500)}`);
          }),
      );
    },
    timeoutFor(CI_RUNS, 1_000),
  );
});
