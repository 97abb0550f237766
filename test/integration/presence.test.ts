import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, type RealtimeClient } from '../../client/index.js';
import { MemoryPresenceStore } from '../../server/index.js';
import type { PresenceJoinEvent, PresenceLeaveEvent, RealtimeEvent } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collectSocketEvents, nextSocketEvent } from '../support/socket-wait.js';
import { nextEvent } from '../support/wait.js';

let t: TestServer;
/** Tokens with document presence: the client role has no P on documents. */
const docPer = { demo: { 'doc/notes/*': 'RP' } };

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPresenceStateBytes: 256 } });
});
afterAll(() => t.close());

async function connectedClient(sub: string, claims: Record<string, unknown> = { realm: 'demo' }): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token({ sub, ...claims }) });
  await client.ready();
  return client;
}

describe('channel presence', () => {
  it('lists members with userId, connectionId, joinedAt and state, and sends join events to the others', async () => {
    const [ann, ben] = await Promise.all([connectedClient('ann'), connectedClient('ben')]);
    const before = Date.now();
    const annJoin = await ann.socketClient.joinChannel('office', { state: { status: 'online' } });
    expect(annJoin.members).toEqual([annJoin.member]);
    expect(annJoin.member.joinedAt).toBeGreaterThanOrEqual(before);

    const joined = nextSocketEvent(ann.socketClient, 'presence');
    const benJoin = await ben.socketClient.joinChannel('office');
    const event = (await joined) as PresenceJoinEvent;
    expect(event).toEqual({ realm: 'demo', channel: 'office', type: 'join', userJoined: true, member: benJoin.member });
    expect(benJoin.members).toEqual([annJoin.member, benJoin.member]);

    const members = await ben.socketClient.members('office');
    expect(members).toEqual([
      { userId: 'ann', connectionId: ann.socketClient.id, joinedAt: annJoin.member.joinedAt, state: { status: 'online' } },
      { userId: 'ben', connectionId: ben.socketClient.id, joinedAt: benJoin.member.joinedAt, state: {} },
    ]);
  });

  it('shows a user once per connection, with user-level join on the first in and leave on the last out', async () => {
    const watcher = await connectedClient('multi-watcher');
    await watcher.socketClient.joinChannel('multi');
    const events = collectSocketEvents(watcher.socketClient, 'presence');
    const phone = await connectedClient('multi-user');
    const laptop = await connectedClient('multi-user');

    await phone.socketClient.joinChannel('multi');
    await laptop.socketClient.joinChannel('multi');
    await events.until(2);
    const joins = events.values as PresenceJoinEvent[];
    expect(joins.map((event) => [event.type, event.member.connectionId, event.userJoined])).toEqual([
      ['join', phone.socketClient.id, true],
      ['join', laptop.socketClient.id, false],
    ]);
    const members = await watcher.socketClient.members('multi');
    expect(members.filter((member) => member.userId === 'multi-user')).toHaveLength(2);

    await phone.socketClient.leaveChannel('multi');
    await events.until(3);
    laptop.disconnect();
    await events.until(4);
    const leaves = events.values.slice(2) as PresenceLeaveEvent[];
    expect(leaves.map((event) => [event.type, event.reason, event.userLeft])).toEqual([
      ['leave', 'left', false],
      ['leave', 'disconnected', true],
    ]);
  });

  it('lets a member set its state, sending update events to the others', async () => {
    const [writer, reader] = await Promise.all([connectedClient('state-writer'), connectedClient('state-reader')]);
    await writer.socketClient.joinChannel('editor');
    await reader.socketClient.joinChannel('editor');
    const writerEvents = collectSocketEvents(writer.socketClient, 'presence');
    const updated = nextSocketEvent(reader.socketClient, 'presence', (event) => event.type === 'update');

    const member = await writer.socketClient.updatePresence('editor', { cursor: { line: 3, column: 7 }, status: 'typing' });
    expect(member).toMatchObject({ userId: 'state-writer', state: { cursor: { line: 3, column: 7 }, status: 'typing' } });
    expect(await updated).toEqual({ realm: 'demo', channel: 'editor', type: 'update', member });
    expect((await reader.socketClient.members('editor')).find((entry) => entry.userId === 'state-writer')?.state).toEqual(member.state);
    // Presence events go to the other members; the writer learns from its own confirmation.
    const sentinel = nextSocketEvent(writer.socketClient, 'presence', (event) => event.type === 'update');
    await reader.socketClient.updatePresence('editor', { status: 'reading' });
    await sentinel;
    expect(writerEvents.values.map((event) => event.member.userId)).toEqual(['state-reader']);
  });

  it('refuses a state over the size limit with PAYLOAD_TOO_LARGE, on join and on update', async () => {
    const client = await connectedClient('big-state');
    const huge = { note: 'x'.repeat(300) };
    const onJoin = await client.socketClient.joinChannel('roomy', { state: huge }).catch((err: unknown) => err);
    expect(onJoin).toBeInstanceOf(PayloadTooLargeError);
    expect(onJoin).toMatchObject({ details: { limit: 256 } });
    await client.socketClient.joinChannel('roomy');
    await expect(client.socketClient.updatePresence('roomy', huge)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(client.socketClient.updatePresence('not-joined', { a: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('document presence', () => {
  it('tracks who has a document open, with join, update and leave events', async () => {
    const [editor, viewer] = await Promise.all([
      connectedClient('doc-editor', { realm: 'demo', per: docPer }),
      connectedClient('doc-viewer', { realm: 'demo', per: docPer }),
    ]);
    const opened = await editor.socketClient.openDocument('notes', 'n1', { state: { selection: [0, 4] } });
    expect(opened).toMatchObject({ document: { service: 'notes', id: 'n1' }, members: [opened.member] });

    const events = collectSocketEvents(editor.socketClient, 'presence');
    const viewerOpen = await viewer.socketClient.openDocument('notes', 'n1');
    expect(viewerOpen.members.map((member) => member.userId)).toEqual(['doc-editor', 'doc-viewer']);
    await viewer.socketClient.updatePresence({ service: 'notes', id: 'n1' }, { scroll: 40 });
    await viewer.socketClient.closeDocument('notes', 'n1');
    await events.until(3);
    expect(events.values.map((event) => [event.type, event.document, event.channel])).toEqual([
      ['join', { service: 'notes', id: 'n1' }, undefined],
      ['update', { service: 'notes', id: 'n1' }, undefined],
      ['leave', { service: 'notes', id: 'n1' }, undefined],
    ]);
    expect(events.values[1]?.member.state).toEqual({ scroll: 40 });
    expect(await viewer.socketClient.members({ service: 'notes', id: 'n1' })).toEqual([opened.member]);

    // Another document is another set.
    expect(await viewer.socketClient.members({ service: 'notes', id: 'n2' })).toEqual([]);
  });

  it('removes a connection from documents it had open when it disconnects', async () => {
    const [stays, drops] = await Promise.all([
      connectedClient('doc-stays', { realm: 'demo', per: docPer }),
      connectedClient('doc-drops', { realm: 'demo', per: docPer }),
    ]);
    await stays.socketClient.openDocument('notes', 'n3');
    await drops.socketClient.openDocument('notes', 'n3');
    const left = nextSocketEvent(stays.socketClient, 'presence', (event) => event.type === 'leave');
    drops.disconnect();
    expect(await left).toMatchObject({ document: { service: 'notes', id: 'n3' }, reason: 'disconnected', member: { userId: 'doc-drops' } });
  });

  it('re-opens open documents after a reconnect, with the state the server held', async () => {
    const [roamer, host] = await Promise.all([
      connectedClient('doc-roamer', { realm: 'demo', per: docPer }),
      connectedClient('doc-host', { realm: 'demo', per: docPer }),
    ]);
    await host.socketClient.openDocument('notes', 'n4');
    await roamer.socketClient.openDocument('notes', 'n4');
    await roamer.socketClient.updatePresence({ service: 'notes', id: 'n4' }, { page: 2 });
    const oldId = roamer.socketClient.id;
    const back = nextSocketEvent(host.socketClient, 'presence', (event) => event.type === 'join' && event.member.userId === 'doc-roamer');
    for (const socket of t.server.io.of('/').sockets.values()) if (socket.id === oldId) socket.disconnect(true);
    const join = await back;
    expect(join).toMatchObject({ document: { service: 'notes', id: 'n4' }, member: { state: { page: 2 } } });
    expect(join.member.connectionId).not.toBe(oldId);
    expect((await host.socketClient.members({ service: 'notes', id: 'n4' })).map((member) => member.userId)).toEqual(['doc-host', 'doc-roamer']);
  });

  it('answers who has a document open over REST', async () => {
    const client = await connectedClient('doc-rest', { realm: 'demo', per: docPer });
    const { member } = await client.socketClient.openDocument('notes', 'rest-doc');
    const service = await t.token({ sub: 'backend', realm: 'demo', permissions: ['service'] });
    const response = await fetch(`${t.url}/api/presence/documents/notes/rest-doc/members`, { headers: { authorization: `Bearer ${service}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([member]);
  });
});

describe('members held by a dead node', () => {
  it('are removed within the node timeout plus one heartbeat, with leave and disconnected events', async () => {
    const store = new MemoryPresenceStore();
    const heartbeatMs = 50;
    const timeoutMs = 300;
    const cluster = await startTestServer({
      presenceStore: store,
      nodeId: 'node-live',
      limits: { presenceHeartbeatMs: heartbeatMs, presenceNodeTimeoutMs: timeoutMs },
    });
    try {
      // Another node's entries in the shared store: a connection in the channel and a data
      // provider. It stays alive (a heartbeat far ahead) until the test lets it die.
      const now = Date.now();
      await store.heartbeat('node-dead', now + 60_000);
      await store.addConnection({ connectionId: 'ghost-conn', userId: 'ghost', realms: ['demo'], nodeId: 'node-dead', connectedAt: now });
      await store.addMember(
        'demo',
        'channel/haunted',
        { userId: 'ghost', connectionId: 'ghost-conn', joinedAt: now, state: {}, visible: true, nodeId: 'node-dead' },
        { maxMembers: 10, maxSetsPerConnection: 10 },
      );
      await store.addProvider('demo', 'ghost-conn', ['ghost-objects/1'], 'node-dead');

      const client = cluster.client({ token: await cluster.token({ sub: 'medium', realm: 'demo', permissions: ['service'] }) });
      client.subscribe({ topic: 'presence.status' });
      await client.ready();
      const joined = await client.socketClient.joinChannel('haunted');
      expect(joined.members?.map((member) => member.userId)).toEqual(['ghost', 'medium']);
      expect(await client.connectionStatus('ghost-objects/1')).toBe('connected');
      const status = nextEvent(client, 'event:presence.status', (event: RealtimeEvent) => event.payload.id === 'ghost-objects/1');
      const leaving = nextSocketEvent(client.socketClient, 'presence', (event) => event.type === 'leave');

      // The node crashes: this is its last heartbeat.
      const lastBeat = Date.now();
      await store.heartbeat('node-dead', lastBeat);

      const leave = (await leaving) as PresenceLeaveEvent;
      const elapsed = Date.now() - lastBeat;
      expect(leave).toMatchObject({ channel: 'haunted', reason: 'expired', userLeft: true, member: { userId: 'ghost', connectionId: 'ghost-conn' } });
      expect(elapsed).toBeGreaterThan(timeoutMs);
      expect((await status).payload).toEqual({ id: 'ghost-objects/1', connectionStatus: 'disconnected' });
      expect((await client.socketClient.members('haunted')).map((member) => member.userId)).toEqual(['medium']);
      expect(await store.getConnection('ghost-conn')).toBeUndefined();
      // The live node keeps its own entries.
      expect(await store.getConnection(client.socketClient.id as string)).toMatchObject({ nodeId: 'node-live' });
    } finally {
      await cluster.close();
    }
  });

  it('are removed by the node itself when it shuts down', async () => {
    const store = new MemoryPresenceStore();
    const node = await startTestServer({ presenceStore: store });
    const client = node.client({ token: await node.token({ sub: 'leaving', realm: 'demo', dpv: { demo: ['things/1'] } }) });
    await client.ready();
    await client.socketClient.joinChannel('shutdown-room');
    expect(await store.countConnections('demo')).toBe(1);
    await node.close();
    expect(await store.countConnections('demo')).toBe(0);
    expect(await store.listSets('demo', 'channel/')).toEqual([]);
    expect(await store.objectPresence('demo', 'things/1')).toMatchObject({ connectionStatus: 'disconnected' });
  });
});
