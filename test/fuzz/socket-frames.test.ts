import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { capturedLog } from './support/captured-log.js';
import { FUZZ_PRINCIPALS } from './support/fuzz-principals.js';
import { fuzzServerOptions } from './support/fuzz-server-options.js';
import { fuzzAssert, timeoutFor } from './support/fuzz-settings.js';
import { FuzzSocket, UNPARSEABLE } from './support/fuzz-socket.js';
import { FuzzStats } from './support/fuzz-stats.js';
import { hostileString, hostileValue } from './support/hostile-values.js';
import { encodeJson } from './support/fuzz-json.js';
import { preview, typedErrorProblem } from './support/typed-error.js';

/**
 * Malformed Socket.IO packets on an open connection: truncated JSON, unknown packet types,
 * reserved and non-string event names, acknowledgements the server never asked for, binary events
 * whose attachments never come or point nowhere, a second CONNECT, unknown namespaces. Socket.IO
 * may close a connection that breaks the protocol (that is its rule); what must hold is that the
 * server stays up, a connection that was not closed still answers, another connection (the
 * witness) is never affected, every error it sends is typed, and nothing is logged at error level.
 */

const CI_RUNS = 600;
const ACK_TIMEOUT_MS = 5_000;

const log = capturedLog();
const stats = new FuzzStats();
let t: TestServer;
let token = '';
let witness: FuzzSocket;

beforeAll(async () => {
  t = await startTestServer(fuzzServerOptions({ logger: log.logger }));
  token = await t.token(FUZZ_PRINCIPALS.service);
  witness = await FuzzSocket.connect(t.url, await t.token(FUZZ_PRINCIPALS.client));
});

afterAll(async () => {
  witness?.close();
  await t?.close();
});

const eventName = fc.oneof(
  fc.constantFrom('subscribe', 'sync:get', 'channel:join', 'connect', 'disconnect', 'disconnecting', 'newListener', 'removeListener', 'error', 'connect_error'),
  hostileString,
);

/** One raw frame: a Socket.IO packet as text (well-formed or not), or a binary part. */
const frame: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  // Event packets with odd heads and bodies.
  fc
    .tuple(fc.constantFrom('2', '21', '2999999999999999999999', '2-1', '2/', '2/admin,', '2/nope,7'), eventName, hostileValue)
    .map(([head, name, value]) => `${head}${encodeJson([name, value]).text}`),
  // Event names that are not strings, bodies that are not arrays.
  fc.tuple(fc.constantFrom('2', '27'), hostileValue).map(([head, value]) => `${head}${encodeJson(value).text}`),
  // Truncated JSON.
  fc.tuple(eventName, fc.nat({ max: 30 })).map(([name, cut]) => {
    const text = `2${JSON.stringify([name, { topic: 'a.b' }])}`;
    return text.slice(0, Math.max(1, text.length - 1 - cut));
  }),
  // Acknowledgements the server never asked for, CONNECT again, DISCONNECT, CONNECT_ERROR, unknown types.
  fc
    .tuple(
      fc.constantFrom('3', '30', '31[', '0', '0{}', `0${JSON.stringify({ token: 'x' })}`, '0/nope,', '0/admin,{}', '1', '1/nope,', '4', '7', '8', '9', 'x', ''),
      hostileString,
    )
    .map(([head, tail]) => `${head}${tail.slice(0, 50)}`),
  // Binary events: attachments missing, too many, or pointing nowhere.
  fc
    .tuple(fc.constantFrom('51-', '52-', '50-', '5999-', '5-1-', '51-/nope,', '61-3'), fc.integer({ min: -1, max: 5 }), eventName)
    .map(([head, num, name]) => `${head}${JSON.stringify([name, { _placeholder: true, num }])}`),
  fc.uint8Array({ maxLength: 64 }),
);

interface Reply {
  answer?: unknown[];
  error?: Error;
}

describe('fuzzing raw Socket.IO packets', () => {
  it(
    'keeps the server up, other connections unaffected, and errors typed',
    async () => {
      await fuzzAssert('socket frames', CI_RUNS, fc.array(frame, { minLength: 1, maxLength: 5 }), (frames) =>
        log.isolate(async () => {
          const socket = await FuzzSocket.connect(t.url, token);
          try {
            for (const raw of frames) socket.sendFrame(raw);
            // A client DISCONNECT ends the session without closing the transport: no answer then.
            const endsSession = frames.some((raw) => typeof raw === 'string' && /^1(?!\/)/.test(raw));
            // A request after the frames: answered if the connection survived them.
            const reply: Reply = endsSession
              ? {}
              : await socket.request('unsubscribe', [{ subscriptionId: 'probe' }], ACK_TIMEOUT_MS).then(
                  (answer) => ({ answer }),
                  (error: Error) => ({ error }),
                );
            const what = `frames ${preview(
              frames.map((raw) => (typeof raw === 'string' ? raw : `<${raw.byteLength} bytes>`)),
              800,
            )}`;
            if (reply.error !== undefined && socket.connected)
              throw new Error(`the connection stayed open but did not answer after ${what}: ${reply.error.message}`);
            if (reply.answer !== undefined && (reply.answer[0] as { ok?: unknown } | undefined)?.ok !== true) {
              throw new Error(`the known-good request was refused after ${what}: ${preview(reply.answer)}`);
            }
            stats.record('connection after the frames', endsSession ? 'session ended' : reply.answer !== undefined ? 'answered' : 'closed by the server');
            for (const { event, value } of socket.notices) {
              stats.record('notices', event);
              // An acknowledgement id past 2^53 comes back as "1e+21": Socket.IO's echo of a malformed packet.
              if (event === UNPARSEABLE) continue;
              const problem = typedErrorProblem(event === 'subscription:revoked' ? (value as { error?: unknown }).error : value);
              if (problem !== undefined) throw new Error(`${event} with a bad error after ${what}: ${problem}`);
            }
            const [witnessed] = await witness.request('unsubscribe', [{ subscriptionId: 'probe' }], ACK_TIMEOUT_MS);
            if ((witnessed as { ok?: unknown } | undefined)?.ok !== true) throw new Error(`the witness connection was refused after ${what}`);
            const errors = log.takeErrors();
            if (errors.length > 0) throw new Error(`the server logged ${errors.length} error(s) after ${what}: ${preview(errors[0], 1500)}`);
          } finally {
            socket.close();
          }
        }),
      );
      stats.print('socket frames');
    },
    timeoutFor(CI_RUNS, 40),
  );
});
