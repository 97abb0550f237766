import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../client/index.js';
import type { AckResult, ErrorShape } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let raw: Socket;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPayloadBytes: 1024, maxPresenceStateBytes: 64 } });
  raw = await t.rawSocket(await t.token({ sub: 'raw', realm: 'demo', permissions: ['service'] }));
});
afterAll(() => t.close());

function request(event: string, payload: unknown): Promise<AckResult<unknown>> {
  return raw.timeout(5000).emitWithAck(event, payload) as Promise<AckResult<unknown>>;
}

async function expectError(event: string, payload: unknown, code: string, message?: RegExp): Promise<ErrorShape> {
  const answer = await request(event, payload);
  expect(answer.ok).toBe(false);
  if (answer.ok) throw new Error('unreachable');
  expect(answer.error.code).toBe(code);
  if (message !== undefined) expect(answer.error.message).toMatch(message);
  return answer.error;
}

describe('channel and presence requests with bad input', () => {
  it('answers a missing channel name with INVALID_ARGUMENT naming it', async () => {
    const error = await expectError('channel:join', {}, 'INVALID_ARGUMENT', /channel is required/);
    expect(error.details).toMatchObject({ issues: [{ path: 'channel', message: 'channel is required' }] });
    await expectError('channel:publish', { event: 'x', data: 1 }, 'INVALID_ARGUMENT', /channel is required/);
    await expectError('channel:leave', {}, 'INVALID_ARGUMENT', /channel is required/);
  });

  it.each([
    ['a slash', 'chat/room'],
    ['a star', 'chat:*'],
    ['a space', 'chat room'],
    ['an empty name', ''],
    ['dots only', '..'],
    ['a number', 42],
    ['a name over 128 characters', 'x'.repeat(129)],
  ])('refuses a channel name with %s', async (_label, channel) => {
    await expectError('channel:join', { channel }, 'INVALID_ARGUMENT', /channel/);
  });

  it('refuses bad event names, unknown fields and non-object states', async () => {
    await expectError('channel:publish', { channel: 'ok', event: 'has space' }, 'INVALID_ARGUMENT', /event must be/);
    await expectError('channel:publish', { channel: 'ok' }, 'INVALID_ARGUMENT', /event is required/);
    await expectError('channel:join', { channel: 'ok', extra: 1 }, 'INVALID_ARGUMENT');
    await expectError('channel:join', { channel: 'ok', state: [1, 2] }, 'INVALID_ARGUMENT', /state must be a JSON object/);
    await expectError('channel:publish', { channel: 'ok', event: 'e', excludeSelf: 'yes' }, 'INVALID_ARGUMENT', /excludeSelf/);
  });

  it('answers an oversized message or state with PAYLOAD_TOO_LARGE', async () => {
    const message = await expectError('channel:publish', { channel: 'big', event: 'e', data: 'x'.repeat(2000) }, 'PAYLOAD_TOO_LARGE');
    expect(message.details).toMatchObject({ limit: 1024 });
    await expectError('direct:send', { userId: 'raw', event: 'e', data: 'x'.repeat(2000) }, 'PAYLOAD_TOO_LARGE');
    const state = await expectError('channel:join', { channel: 'big', state: { blob: 'x'.repeat(100) } }, 'PAYLOAD_TOO_LARGE');
    expect(state.details).toMatchObject({ limit: 64 });
  });

  it('answers direct messages with no target, two targets or an unknown target', async () => {
    await expectError('direct:send', { event: 'e' }, 'INVALID_ARGUMENT', /exactly one of connectionId and userId/);
    await expectError('direct:send', { event: 'e', userId: 'a', connectionId: 'b' }, 'INVALID_ARGUMENT', /exactly one/);
    await expectError('direct:send', { event: 'e', connectionId: 'not/valid' }, 'INVALID_ARGUMENT', /connectionId/);
    await expectError('direct:send', { event: 'e', connectionId: 'unknown-connection' }, 'NOT_FOUND', /No connection "unknown-connection"/);
    await expectError('direct:send', { event: 'e', userId: 'nobody' }, 'NOT_FOUND', /has no connection/);
  });

  it('answers presence requests without exactly one target, or with a bad document or object id', async () => {
    await expectError('presence:list', {}, 'INVALID_ARGUMENT', /exactly one of channel and document/);
    await expectError('presence:list', { channel: 'a', document: { service: 'notes', id: 'n' } }, 'INVALID_ARGUMENT', /exactly one/);
    await expectError('presence:update', { channel: 'a' }, 'INVALID_ARGUMENT', /state/);
    await expectError('document:open', { document: { service: 'Notes', id: 'n' } }, 'INVALID_ARGUMENT', /document.service/);
    await expectError('document:open', { document: { service: 'notes', id: 'a/b' } }, 'INVALID_ARGUMENT', /document.id/);
    await expectError('presence:status', {}, 'INVALID_ARGUMENT', /id is required/);
    await expectError('presence:status', { id: 'a//b' }, 'INVALID_ARGUMENT', /id must be/);
  });

  it('keeps the connection usable after all of that', async () => {
    const answer = await request('channel:join', { channel: 'still-fine' });
    expect(answer).toMatchObject({ ok: true, data: { realm: 'demo', channel: 'still-fine', presence: true } });
  });

  it('rejects bad arguments in the client before anything is sent', async () => {
    const client = t.client({ token: await t.token({ sub: 'careless', realm: 'demo' }) });
    const sc = client.socketClient;
    await expect(sc.joinChannel('')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(sc.joinChannel(undefined as unknown as string)).rejects.toThrow(/Invalid channel/);
    await expect(sc.publish('ok', 'bad event')).rejects.toThrow(/Invalid event/);
    await expect(sc.directMessage('' as string, 'ping')).rejects.toThrow(/connection id or \{ userId \}/);
    await expect(sc.members({ service: 'notes', id: '../x' })).rejects.toThrow(/Invalid document/);
    await expect(sc.updatePresence('ok', null as unknown as Record<string, unknown>)).rejects.toThrow(/state must be a JSON object/);
    await expect(client.connectionStatus('bad id')).rejects.toThrow(/Invalid object id/);
  });
});
