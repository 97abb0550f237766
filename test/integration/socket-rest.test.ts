import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClient } from '../../client/index.js';
import { startTestServer, type TestClaims, type TestServer } from '../support/test-server.js';
import { nextSocketEvent } from '../support/socket-wait.js';

let t: TestServer;
let serviceToken: string;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPayloadBytes: 1024 } });
  serviceToken = await t.token({ sub: 'backend', realm: 'rest', permissions: ['service'] });
});
afterAll(() => t.close());

async function connectedClient(claims: TestClaims): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token(claims) });
  await client.ready();
  return client;
}

async function api(method: string, path: string, body?: unknown, token = serviceToken) {
  const response = await fetch(`${t.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('REST for backends', () => {
  it('lists active channels with member counts, and the members of one', async () => {
    const [one, two] = await Promise.all([connectedClient({ sub: 'rest-one', realm: 'rest' }), connectedClient({ sub: 'rest-two', realm: 'rest' })]);
    const joined = await one.socketClient.joinChannel('chat:room1', { state: { status: 'away' } });
    await two.socketClient.joinChannel('chat:room1');
    await two.socketClient.joinChannel('game:match5');

    expect(await api('GET', '/socket/channels')).toEqual({
      status: 200,
      body: [
        { name: 'chat:room1', memberCount: 2 },
        { name: 'game:match5', memberCount: 1 },
      ],
    });
    const members = await api('GET', '/socket/channels/chat:room1/members');
    expect(members.status).toBe(200);
    expect(members.body).toEqual([
      { socketId: one.socketClient.id, ...joined.member },
      expect.objectContaining({ socketId: two.socketClient.id, connectionId: two.socketClient.id, userId: 'rest-two', state: {} }),
    ]);
    expect(await api('GET', '/socket/channels/nobody-here/members')).toEqual({ status: 200, body: [] });
  });

  it('counts connections in the realm', async () => {
    const before = (await api('GET', '/socket/connections')).body as { count: number };
    const client = await connectedClient({ sub: 'rest-counted', realm: 'rest' });
    expect(await api('GET', '/socket/connections')).toEqual({ status: 200, body: { count: before.count + 1 } });
    client.disconnect();
  });

  it('broadcasts to a channel, from the backend user with no connection', async () => {
    const member = await connectedClient({ sub: 'rest-listener', realm: 'rest' });
    await member.socketClient.joinChannel('announcements');
    const received = nextSocketEvent(member.socketClient, 'message');
    const response = await api('POST', '/socket/broadcast', {
      channel: 'announcements',
      event: 'message',
      data: { text: 'Server announcement', sender: 'system' },
    });
    expect(response).toMatchObject({ status: 200, body: { realm: 'rest', channel: 'announcements', event: 'message' } });
    expect(await received).toMatchObject({
      channel: 'announcements',
      event: 'message',
      data: { text: 'Server announcement', sender: 'system' },
      from: { userId: 'backend', connectionId: null },
    });
  });

  it('refuses a broadcast with only the client role (a REST caller is no member); a C grant or the service role may', async () => {
    const plain = await t.token({ sub: 'rest-plain', realm: 'rest' });
    expect(await api('POST', '/socket/broadcast', { channel: 'town', event: 'x' }, plain)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN', message: expect.stringMatching(/join the channel "town" before publishing/i) },
    });
    const granted = await t.token({ sub: 'rest-granted', realm: 'rest', per: { rest: { 'channel/town': 'C' } } });
    expect(await api('POST', '/socket/broadcast', { channel: 'town', event: 'x' }, granted)).toMatchObject({ status: 200 });
    expect(await api('POST', '/socket/broadcast', { channel: 'town', event: 'x' })).toMatchObject({ status: 200 });
  });

  it('sends a direct message to a user, and answers 404 when the user has no connection', async () => {
    const user = await connectedClient({ sub: 'rest-dm', realm: 'rest' });
    const received = nextSocketEvent(user.socketClient, 'direct');
    expect(await api('POST', '/socket/direct', { userId: 'rest-dm', event: 'notice', data: { n: 1 } })).toEqual({
      status: 200,
      body: { realm: 'rest', recipients: 1 },
    });
    expect(await received).toMatchObject({ event: 'notice', data: { n: 1 }, from: { userId: 'backend', connectionId: null } });
    expect(await api('POST', '/socket/direct', { connectionId: user.socketClient.id, event: 'notice' })).toMatchObject({
      body: { recipients: 1 },
    });
    expect(await api('POST', '/socket/direct', { userId: 'rest-nobody', event: 'notice' })).toMatchObject({
      status: 404,
      body: { error: 'NotFoundError', code: 'NOT_FOUND' },
    });
  });

  it('answers bad input and missing permissions with typed errors', async () => {
    expect(await api('POST', '/socket/broadcast', { event: 'x', data: {} })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/channel is required/) },
    });
    expect(await api('POST', '/socket/broadcast', { channel: 'a', event: 'x', data: 'x'.repeat(2000) })).toMatchObject({
      status: 413,
      body: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(await api('GET', '/socket/channels/bad%20name/members')).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
    expect(await api('POST', '/socket/direct', { event: 'x' })).toMatchObject({ status: 400 });

    const client = await t.token({ sub: 'rest-client', realm: 'rest' });
    expect(await api('GET', '/socket/connections', undefined, client)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN', details: { resource: 'user/*', permission: 'P' } },
    });
    const reader = await t.token({ sub: 'rest-reader', realm: 'rest', per: { rest: { 'channel/*': 'R' } } });
    expect(await api('POST', '/socket/broadcast', { channel: 'a', event: 'x' }, reader)).toMatchObject({ status: 403 });
    expect(await api('GET', '/socket/channels/a/members', undefined, reader)).toMatchObject({ status: 403 });
    // Listing hides channels whose presence the caller may not read.
    expect(await api('GET', '/socket/channels', undefined, reader)).toEqual({ status: 200, body: [] });
    const noToken = await fetch(`${t.url}/api/socket/channels`);
    expect(noToken.status).toBe(401);
  });
});
