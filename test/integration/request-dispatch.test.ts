import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Requests are served from one table per server (server/kernel/request-table.ts), not from a
 * listener per event per connection: what a connection's own emitter sees stays as it was.
 */
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('request dispatch', () => {
  it('serves a request and still emits it to a listener the host added on the server-side socket', async () => {
    const heard: unknown[] = [];
    const onConnection = (socket: { on(event: string, listener: (request: unknown) => void): void }): void => {
      socket.on('sys:ping', (request) => heard.push(request));
    };
    t.server.io.on('connection', onConnection);
    try {
      const socket = await t.rawSocket(await t.token({ sub: 'host-watched', realm: 'demo' }));
      const answer = (await socket.timeout(5000).emitWithAck('sys:ping', {})) as AckResult<{ time: number }>;
      expect(answer).toMatchObject({ ok: true, data: { time: expect.any(Number) } });
      expect(heard).toEqual([{}]);
    } finally {
      t.server.io.off('connection', onConnection);
    }
  });

  it('serves every request of a connection in the order sent, each once', async () => {
    const socket = await t.rawSocket(await t.token({ sub: 'orderly', realm: 'demo', permissions: ['service'] }));
    const answers = await Promise.all(
      Array.from(
        { length: 20 },
        (_, index) =>
          socket.timeout(5000).emitWithAck('subscribe', { topic: `ordered.${index}`, subscriptionId: `s${index}` }) as Promise<
            AckResult<{ subscriptionId: string }>
          >,
      ),
    );
    expect(answers.map((answer) => (answer.ok ? answer.data.subscriptionId : answer.error.code))).toEqual(
      Array.from({ length: 20 }, (_, index) => `s${index}`),
    );
  });
});
