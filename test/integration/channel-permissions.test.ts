import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, type RealtimeClient } from '../../client/index.js';
import type { TestClaims } from '../support/test-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collectSocketEvents, nextSocketEvent } from '../support/socket-wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function connectedClient(claims: TestClaims): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token(claims) });
  await client.ready();
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('channel permissions', () => {
  it('needs R on channel/<name> to join', async () => {
    const outsider = await connectedClient({ sub: 'outsider', realm: 'demo', per: { demo: { 'channel/public:*': 'R' } } });
    const error = await rejection(outsider.socketClient.joinChannel('private:board'));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { realm: 'demo', resource: 'channel/private:board', permission: 'R' } });
    await expect(outsider.socketClient.joinChannel('public:square')).resolves.toMatchObject({ channel: 'public:square' });
  });

  it('needs C on channel/<name> to publish', async () => {
    const reader = await connectedClient({ sub: 'reader-only', realm: 'demo', per: { demo: { 'channel/news': 'R' } } });
    await reader.socketClient.joinChannel('news');
    const error = await rejection(reader.socketClient.publish('news', 'post', { text: 'hi' }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { resource: 'channel/news', permission: 'C' } });
  });

  it('keeps a member without P out of presence: not listed, no events, no state, no members()', async () => {
    const visible = await connectedClient({ sub: 'visible', realm: 'demo' });
    const hidden = await connectedClient({ sub: 'hidden', realm: 'demo', per: { demo: { 'channel/stage': 'RC' } } });
    await visible.socketClient.joinChannel('stage');
    const visibleEvents = collectSocketEvents(visible.socketClient, 'presence');
    const hiddenEvents = collectSocketEvents(hidden.socketClient, 'presence');

    const joined = await hidden.socketClient.joinChannel('stage');
    expect(joined.presence).toBe(false);
    expect(joined.members).toBeUndefined();
    expect(await visible.socketClient.members('stage')).toHaveLength(1);
    expect(await rejection(hidden.socketClient.members('stage'))).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'P' } });
    expect(await rejection(hidden.socketClient.updatePresence('stage', { a: 1 }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(hidden.socketClient.joinChannel('stage', { state: { a: 1 } }))).toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'P' },
    });

    // It is still a member for messages, both ways.
    const heard = nextSocketEvent(hidden.socketClient, 'message');
    await hidden.socketClient.publish('stage', 'line', { text: 'from the wings' });
    expect((await heard).from.userId).toBe('hidden');

    // A visible joiner's event reaches the visible member, never the hidden one.
    const late = await connectedClient({ sub: 'late', realm: 'demo' });
    await late.socketClient.joinChannel('stage');
    await visibleEvents.untilMatch((event) => event.member.userId === 'late');
    expect(visibleEvents.values.map((event) => event.member.userId)).toEqual(['late']);
    expect(hiddenEvents.values).toEqual([]);
  });

  it('needs P on doc/<service>/<id> for document presence (the client role has none)', async () => {
    const client = await connectedClient({ sub: 'doc-nobody', realm: 'demo' });
    const error = await rejection(client.socketClient.openDocument('notes', 'secret'));
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { resource: 'doc/notes/secret', permission: 'P' } });
    expect(await rejection(client.socketClient.members({ service: 'notes', id: 'secret' }))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a realm the token does not grant', async () => {
    const client = await connectedClient({ sub: 'single-realm', realm: 'demo' });
    const error = await rejection(client.realm('other').socketClient.joinChannel('lobby'));
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { realm: 'other' } });
    expect(await rejection(client.realm('other').socketClient.directMessage({ userId: 'x' }, 'ping'))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('realm isolation', () => {
  it('keeps channels of the same name in two realms apart: messages and presence', async () => {
    const inA = await connectedClient({ sub: 'realm-a', realm: 'realm-a' });
    const inB = await connectedClient({ sub: 'realm-b', realm: 'realm-b' });
    const both = await connectedClient({ sub: 'realm-both', realms: ['realm-a', 'realm-b'] });
    await inA.socketClient.joinChannel('lobby');
    const bEvents = collectSocketEvents(inB.socketClient, 'presence');
    await inB.socketClient.joinChannel('lobby');
    const aMessages = collectSocketEvents(inA.socketClient, 'message');
    const bothInA = collectSocketEvents(both.realm('realm-a').socketClient, 'message');

    await both.realm('realm-b').socketClient.joinChannel('lobby');
    await bEvents.untilMatch((event) => event.member.userId === 'realm-both');
    const heard = nextSocketEvent(inB.socketClient, 'message');
    await both.realm('realm-b').socketClient.publish('lobby', 'note', { text: 'only in b' });
    expect(await heard).toMatchObject({ realm: 'realm-b', channel: 'lobby' });

    const sentinel = nextSocketEvent(inA.socketClient, 'message');
    await inA.socketClient.publish('lobby', 'note', { text: 'sentinel in a' });
    await sentinel;
    expect(aMessages.values.map((message) => (message.data as { text: string }).text)).toEqual(['sentinel in a']);
    expect(bothInA.values).toEqual([]);
    expect((await inA.socketClient.members('lobby')).map((member) => member.userId)).toEqual(['realm-a']);
    expect((await inB.socketClient.members('lobby')).map((member) => member.userId)).toEqual(['realm-b', 'realm-both']);
    expect(bEvents.values.map((event) => event.member.userId)).toEqual(['realm-both']);
  });

  it('scopes the REST views to the realm asked for', async () => {
    const inC = await connectedClient({ sub: 'realm-c-member', realm: 'realm-c' });
    await inC.socketClient.joinChannel('c-only');
    const service = await t.token({ sub: 'ops', realms: ['realm-c', 'realm-d'], permissions: ['service'] });
    const get = async (path: string, realm: string) =>
      (await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${service}`, 'x-realm': realm } })).json();
    expect(await get('/api/socket/channels', 'realm-c')).toEqual([{ name: 'c-only', memberCount: 1 }]);
    expect(await get('/api/socket/channels', 'realm-d')).toEqual([]);
    expect(await get('/api/socket/channels/c-only/members', 'realm-d')).toEqual([]);
    expect(await get('/api/socket/connections', 'realm-c')).toEqual({ count: 1 });
    expect(await get('/api/socket/connections', 'realm-d')).toEqual({ count: 0 });
  });
});
