import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult, ErrorShape } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let token: string;

beforeAll(async () => {
  t = await startTestServer();
  token = await t.token({ realm: 'demo' });
});
afterAll(() => t.close());

function connect(auth: Record<string, unknown>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(t.url, { transports: ['websocket'], auth, forceNew: true, reconnection: false });
    socket.once('session:opened', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('heartbeats (server side)', () => {
  it('answers sys:ping with the server time', async () => {
    const socket = await connect({ token });
    const answer = (await socket.timeout(5000).emitWithAck('sys:ping', {})) as AckResult<{ time: number }>;
    expect(answer).toMatchObject({ ok: true, data: { time: expect.any(Number) } });
    socket.disconnect();
  });

  it('closes a connection that declared a heartbeat interval and went silent; keeps those that ping or declared none', async () => {
    const silent = await connect({ token, heartbeatInterval: 200 });
    const pinging = await connect({ token, heartbeatInterval: 200 });
    const undeclared = await connect({ token });
    const pinger = setInterval(() => pinging.emit('sys:ping', {}, () => undefined), 100);
    try {
      const reason = await new Promise<string>((resolve) => silent.once('disconnect', resolve));
      expect(reason).toBe('io server disconnect');
      expect(pinging.connected).toBe(true);
      expect(undeclared.connected).toBe(true);
    } finally {
      clearInterval(pinger);
      pinging.disconnect();
      undeclared.disconnect();
    }
  });

  it('also closes a quarantined connection that goes silent', async () => {
    const silent = await connect({ heartbeatInterval: 150 });
    expect(await new Promise<string>((resolve) => silent.once('disconnect', resolve))).toBe('io server disconnect');
  });

  it.each([[50], [1.5], ['5000'], [10_000_000]])('refuses the handshake for heartbeatInterval %j with INVALID_ARGUMENT', async (heartbeatInterval) => {
    const refusal = (await connect({ token, heartbeatInterval }).then(
      () => undefined,
      (err: unknown) => err,
    )) as (Error & { data?: ErrorShape }) | undefined;
    expect(refusal?.data).toMatchObject({ code: 'INVALID_ARGUMENT', details: { issues: [{ path: 'heartbeatInterval' }] } });
  });
});
