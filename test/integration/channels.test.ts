import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitExceededError, type RealtimeClient } from '../../client/index.js';
import type { ChannelMessage } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collectSocketEvents, nextSocketEvent } from '../support/socket-wait.js';
import { stateReached } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxChannelMembers: 3, maxChannelsPerConnection: 4 } });
});
afterAll(() => t.close());

async function connectedClient(sub: string, realm = 'demo'): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token({ sub, realm }) });
  await client.ready();
  return client;
}

function texts(messages: ChannelMessage[]): unknown[] {
  return messages.map((message) => (message.data as { text: string }).text);
}

describe('channels', () => {
  it('lets three clients in a channel exchange messages, each seeing who sent what', async () => {
    const [alice, bob, carol] = await Promise.all([connectedClient('alice'), connectedClient('bob'), connectedClient('carol')]);
    for (const client of [alice, bob, carol]) await client.socketClient.joinChannel('chat:room1');
    const inboxes = [alice, bob, carol].map((client) => collectSocketEvents(client.socketClient, 'message'));

    await alice.socketClient.publish('chat:room1', 'message', { text: 'hi from alice' });
    await bob.socketClient.publish('chat:room1', 'message', { text: 'hi from bob' });
    await carol.socketClient.publish('chat:room1', 'message', { text: 'hi from carol' });
    await Promise.all(inboxes.map((inbox) => inbox.until(3)));

    for (const inbox of inboxes) {
      // Each publish was confirmed before the next, and the server sends to each connection in order.
      expect(inbox.values.map((message) => [message.from.userId, (message.data as { text: string }).text])).toEqual([
        ['alice', 'hi from alice'],
        ['bob', 'hi from bob'],
        ['carol', 'hi from carol'],
      ]);
    }
    const first = inboxes[1]!.values[0] as ChannelMessage;
    expect(first).toMatchObject({
      realm: 'demo',
      channel: 'chat:room1',
      event: 'message',
      from: { userId: 'alice', connectionId: alice.socketClient.id },
    });
    expect(typeof first.timestamp).toBe('number');
  });

  it('gives a connection its own id, the one the server knows it by', async () => {
    const client = await connectedClient('self-aware');
    const serverSide = [...t.server.io.of('/').sockets.values()].filter((socket) => socket.data.principal.userId === 'self-aware');
    expect(serverSide.map((socket) => socket.id)).toEqual([client.socketClient.id]);
  });

  it('delivers to the sender too, unless it opts out with excludeSelf', async () => {
    const [sender, other] = await Promise.all([connectedClient('echo-sender'), connectedClient('echo-other')]);
    await sender.socketClient.joinChannel('echo');
    await other.socketClient.joinChannel('echo');
    const own = collectSocketEvents(sender.socketClient, 'message');
    const theirs = collectSocketEvents(other.socketClient, 'message');

    await sender.socketClient.publish('echo', 'note', { text: 'quiet' }, { excludeSelf: true });
    await sender.socketClient.publish('echo', 'note', { text: 'loud' });
    await own.until(1);
    await theirs.until(2);

    expect(texts(own.values)).toEqual(['loud']);
    expect(texts(theirs.values)).toEqual(['quiet', 'loud']);
  });

  it('stops delivering after leaveChannel, and tells the others with a leave event', async () => {
    const [stayer, leaver] = await Promise.all([connectedClient('stayer'), connectedClient('leaver')]);
    await stayer.socketClient.joinChannel('lounge');
    await leaver.socketClient.joinChannel('lounge');
    const leaverInbox = collectSocketEvents(leaver.socketClient, 'message');
    const left = nextSocketEvent(stayer.socketClient, 'presence', (event) => event.type === 'leave');

    await leaver.socketClient.leaveChannel('lounge');
    expect(await left).toMatchObject({
      realm: 'demo',
      channel: 'lounge',
      type: 'leave',
      reason: 'left',
      userLeft: true,
      member: { userId: 'leaver' },
    });
    expect(leaver.socketClient.joinedChannels()).toEqual([]);

    // The one who left may no longer publish there (a plain client must be a member).
    await expect(leaver.socketClient.publish('lounge', 'note', { text: 'after leaving' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const sentinel = nextSocketEvent(stayer.socketClient, 'message', (message) => (message.data as { text: string }).text === 'sentinel');
    await stayer.socketClient.publish('lounge', 'note', { text: 'sentinel' });
    await sentinel;
    expect(leaverInbox.values).toEqual([]);
    // Leaving a channel one is not in is harmless.
    await expect(leaver.socketClient.leaveChannel('lounge')).resolves.toBeUndefined();
  });

  it('tells the others with a leave event when a member disconnects', async () => {
    const [watcher, goner] = await Promise.all([connectedClient('watcher'), connectedClient('goner')]);
    await watcher.socketClient.joinChannel('exit-hall');
    await goner.socketClient.joinChannel('exit-hall');
    const goneId = goner.socketClient.id;
    const left = nextSocketEvent(watcher.socketClient, 'presence', (event) => event.type === 'leave');

    goner.disconnect();
    expect(await left).toMatchObject({ type: 'leave', reason: 'disconnected', userLeft: true, member: { userId: 'goner', connectionId: goneId } });
    expect((await watcher.socketClient.members('exit-hall')).map((member) => member.userId)).toEqual(['watcher']);
  });

  it('re-joins joined channels by itself after a reconnect', async () => {
    const [resilient, peer] = await Promise.all([connectedClient('resilient'), connectedClient('peer')]);
    await resilient.socketClient.joinChannel('durable', { state: { mood: 'calm' } });
    await peer.socketClient.joinChannel('durable');
    const oldId = resilient.socketClient.id;
    const rejoined = nextSocketEvent(peer.socketClient, 'presence', (event) => event.type === 'join' && event.member.userId === 'resilient');

    for (const socket of t.server.io.of('/').sockets.values()) if (socket.id === oldId) socket.disconnect(true);
    await stateReached(resilient, 'reconnecting');
    const join = await rejoined;
    expect(join.member.connectionId).toBe(resilient.socketClient.id);
    expect(join.member.connectionId).not.toBe(oldId);
    expect(join.member.state).toEqual({ mood: 'calm' });

    const received = nextSocketEvent(resilient.socketClient, 'message');
    await peer.socketClient.publish('durable', 'ping', { text: 'welcome back' });
    expect((await received).data).toEqual({ text: 'welcome back' });
    expect((await peer.socketClient.members('durable')).map((member) => member.connectionId).sort()).toEqual(
      [peer.socketClient.id, resilient.socketClient.id].sort(),
    );
  });

  it('joins idempotently and answers with the members, this connection included', async () => {
    const client = await connectedClient('twice');
    const first = await client.socketClient.joinChannel('repeat', { state: { n: 1 } });
    const second = await client.socketClient.joinChannel('repeat');
    expect(first).toMatchObject({ channel: 'repeat', presence: true, member: { userId: 'twice', connectionId: client.socketClient.id, state: { n: 1 } } });
    expect(second.member).toEqual(first.member);
    expect(second.members).toEqual([first.member]);
  });

  it('caps the members of a channel and the channels of a connection with LIMIT_EXCEEDED', async () => {
    const clients = await Promise.all(['cap-1', 'cap-2', 'cap-3', 'cap-4'].map((sub) => connectedClient(sub)));
    for (const client of clients.slice(0, 3)) await client.socketClient.joinChannel('small-room');
    const refused = await clients[3]!.socketClient.joinChannel('small-room').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LimitExceededError);
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 3, channel: 'small-room' } });
    expect((await clients[0]!.socketClient.members('small-room')).length).toBe(3);

    const busy = clients[3]!.socketClient;
    for (const name of ['c1', 'c2', 'c3', 'c4']) await busy.joinChannel(name);
    await expect(busy.joinChannel('c5')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 4 } });
    await busy.leaveChannel('c4');
    await expect(busy.joinChannel('c5')).resolves.toMatchObject({ channel: 'c5' });
  });

  it('releases socketClient listeners on destroy()', async () => {
    const [doomed, speaker] = await Promise.all([connectedClient('doomed'), connectedClient('speaker')]);
    await doomed.socketClient.joinChannel('final');
    const socketClient = doomed.socketClient;
    const heard: unknown[] = [];
    socketClient.on('message', (message) => heard.push(message));
    const left = nextSocketEvent(speaker.socketClient, 'presence', (event) => event.type === 'leave');
    await speaker.socketClient.joinChannel('final');
    doomed.destroy();
    await left;
    await speaker.socketClient.publish('final', 'note', { text: 'anyone?' });
    expect(heard).toEqual([]);
    expect(() => socketClient.on('message', () => undefined)).toThrow(/destroyed/);
    expect(() => doomed.socketClient).toThrow(/destroyed/);
  });
});
