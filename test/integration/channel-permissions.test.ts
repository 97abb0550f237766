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

  it('lets a plain client publish only to a channel it joined: FORBIDDEN, saying to join first, otherwise', async () => {
    const member = await connectedClient({ sub: 'resident', realm: 'demo' });
    const outsider = await connectedClient({ sub: 'drive-by', realm: 'demo' });
    await member.socketClient.joinChannel('closed:room');
    const inbox = collectSocketEvents(member.socketClient, 'message');

    const error = await rejection(outsider.socketClient.publish('closed:room', 'spam', { text: 'not a member' }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/join the channel "closed:room" before publishing/i),
      details: { realm: 'demo', resource: 'channel/closed:room', permission: 'C' },
    });
    // The connection stays usable: once it joined, it may publish; once it left, no more.
    await outsider.socketClient.joinChannel('closed:room');
    await outsider.socketClient.publish('closed:room', 'hello', { text: 'now a member' });
    await inbox.untilMatch((message) => message.event === 'hello');
    await outsider.socketClient.leaveChannel('closed:room');
    expect(await rejection(outsider.socketClient.publish('closed:room', 'spam', { text: 'left' }))).toMatchObject({ code: 'FORBIDDEN' });
    await member.socketClient.publish('closed:room', 'sentinel', {});
    await inbox.untilMatch((message) => message.event === 'sentinel');
    expect(inbox.values.map((message) => [message.event, message.from.userId])).toEqual([
      ['hello', 'drive-by'],
      ['sentinel', 'resident'],
    ]);
    // A refused message is not kept for recovery either.
    const { messenger } = t.server.gateway;
    const head = await messenger.head('demo', 'closed:room');
    const replay = await messenger.replay('demo', 'closed:room', { epoch: head?.epoch ?? '', offset: '0-0' });
    expect(replay.messages.map((message) => message.event)).toEqual(['hello', 'sentinel']);
  });

  it('lets backends publish without joining: the service role, or a per grant of C on the channel', async () => {
    const member = await connectedClient({ sub: 'listener', realm: 'demo' });
    await member.socketClient.joinChannel('alerts:fire');
    const inbox = collectSocketEvents(member.socketClient, 'message');
    const service = await connectedClient({ sub: 'backend', realm: 'demo', permissions: ['service'] });
    const granted = await connectedClient({ sub: 'sensor', realm: 'demo', per: { demo: { 'channel/alerts:*': 'C' } } });
    await service.socketClient.publish('alerts:fire', 'from-service', {});
    await granted.socketClient.publish('alerts:fire', 'from-grant', {});
    await inbox.untilMatch((message) => message.event === 'from-grant');
    expect(inbox.values.map((message) => message.event)).toEqual(['from-service', 'from-grant']);
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
