import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RealtimeClient, type PresenceEvent, type PresenceMember, type RealtimeClientOptions } from '../../client/index.js';
import { signToken } from '../../server/index.js';
import type { ChannelMessage, ObjectPresence, RealtimeEvent } from '../../shared/index.js';
import { startPlatformNode, type PlatformNode } from '../support/platform-node.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { collectSocketEvents, nextSocketEvent } from '../support/socket-wait.js';
import { startBalancer } from '../support/tcp-balancer.js';
import { collect } from '../support/wait.js';

// Three real server processes (server/cli.ts) sharing one Redis that this file starts, with a
// short presence heartbeat so that a killed node's members go within seconds.
const HEARTBEAT_MS = 300;
const NODE_TIMEOUT_MS = 3000;
/** The documented bound: a dead node's entries are gone this long after its last heartbeat. */
const CLEANUP_BOUND_MS = NODE_TIMEOUT_MS + HEARTBEAT_MS;
/** Room for the leave events to travel (sweep, adapter, client) on a busy two-core machine. */
const DELIVERY_SLACK_MS = 2000;

const secret = randomBytes(32).toString('base64url');
let redis: RedisTestServer;
let nodes: PlatformNode[] = [];
const clients: RealtimeClient[] = [];

function nodeEnv(): Record<string, string> {
  return {
    JWT_SECRET: secret,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    PRESENCE_NODE_TIMEOUT_MS: String(NODE_TIMEOUT_MS),
  };
}

function node(index: number): PlatformNode {
  const found = nodes[index];
  if (found === undefined) throw new Error(`no node ${index}`);
  return found;
}

interface Grant {
  permissions?: string[];
  dpv?: Record<string, string[]>;
}

function token(sub: string, realm: string, grant: Grant = {}): Promise<string> {
  return signToken({ sub, secret, expiresIn: '1h', claims: { realm, ...grant } });
}

/** A client of `url` as `sub` in `realm`, connected (its connection registered on every node). */
async function connected(url: string, sub: string, realm: string, grant: Grant = {}, options: Partial<RealtimeClientOptions> = {}): Promise<RealtimeClient> {
  const client = new RealtimeClient({
    url,
    token: await token(sub, realm, grant),
    reconnectionDelay: 50,
    reconnectionDelayMax: 300,
    reconnectionAttempts: 100,
    ...options,
  });
  clients.push(client);
  await client.ready();
  return client;
}

async function rest<T>(target: PlatformNode, path: string, bearer: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${target.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

function id(client: RealtimeClient): string {
  const connectionId = client.socketClient.id;
  if (connectionId === undefined) throw new Error('client is not connected');
  return connectionId;
}

const summary = (members: PresenceMember[]) => members.map((member) => [member.userId, member.connectionId, member.state]);
const isEvent = (type: PresenceEvent['type'], connectionId: string) => (event: PresenceEvent) =>
  event.type === type && event.member.connectionId === connectionId;

beforeAll(async () => {
  redis = await startRedis({ owned: true });
  nodes = await Promise.all([startPlatformNode(nodeEnv()), startPlatformNode(nodeEnv()), startPlatformNode(nodeEnv())]);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(nodes.map((each) => each.stop()));
  await redis?.stop();
});

describe('presence across three nodes sharing Redis', () => {
  it('delivers channel messages between members connected to different nodes', async () => {
    const realm = 'cp-chat';
    const members = [await connected(node(0).url, 'alice', realm), await connected(node(1).url, 'bob', realm), await connected(node(2).url, 'carol', realm)];
    for (const member of members) await member.socketClient.joinChannel('room');
    const inboxes = members.map((member) => collectSocketEvents(member.socketClient, 'message'));

    for (const [i, member] of members.entries()) await member.socketClient.publish('room', 'say', { text: `hi ${i}` });
    await Promise.all(inboxes.map((inbox) => inbox.until(3)));

    // Messages from different nodes travel different paths: compare what arrived, not the order.
    const heard = (messages: ChannelMessage[]) => messages.map((m) => `${m.from.userId}:${(m.data as { text: string }).text}`).sort();
    for (const inbox of inboxes) expect(heard(inbox.values)).toEqual(['alice:hi 0', 'bob:hi 1', 'carol:hi 2']);
    const fromAlice = inboxes[1]?.values.find((m) => m.from.userId === 'alice');
    expect(fromAlice).toMatchObject({ realm, channel: 'room', from: { connectionId: id(members[0]!) } });
  });

  it('sends direct messages by user id and by connection id to connections on other nodes', async () => {
    const realm = 'cp-direct';
    const sender = await connected(node(0).url, 'sender', realm);
    const erinOnB = await connected(node(1).url, 'erin', realm);
    const erinOnC = await connected(node(2).url, 'erin', realm);
    const inboxB = collectSocketEvents(erinOnB.socketClient, 'direct');
    const inboxC = collectSocketEvents(erinOnC.socketClient, 'direct');

    expect(await sender.socketClient.directMessage({ userId: 'erin' }, 'ping', { n: 1 })).toEqual({ recipients: 2 });
    expect(await sender.socketClient.directMessage(id(erinOnC), 'only-c', { n: 2 })).toEqual({ recipients: 1 });
    expect(await sender.socketClient.directMessage({ userId: 'erin' }, 'after', { n: 3 })).toEqual({ recipients: 2 });
    await Promise.all([inboxB.until(2), inboxC.until(3)]);
    // Both went out through node A in this order, so B would have had `only-c` before `after`.
    expect(inboxB.values.map((message) => message.event)).toEqual(['ping', 'after']);
    expect(inboxC.values.map((message) => message.event)).toEqual(['ping', 'only-c', 'after']);
    expect(inboxC.values[1]).toMatchObject({ realm, data: { n: 2 }, from: { userId: 'sender', connectionId: id(sender) } });

    // A connection is registered before its client hears it is connected: reachable at once.
    const fresh = await connected(node(2).url, 'fresh', realm);
    const arrived = nextSocketEvent(fresh.socketClient, 'direct');
    expect(await sender.socketClient.directMessage(id(fresh), 'welcome')).toEqual({ recipients: 1 });
    expect(await arrived).toMatchObject({ event: 'welcome', from: { userId: 'sender' } });

    // REST on a third node, to a user connected to node A.
    const backend = await token('backend', realm, { permissions: ['service'] });
    const viaRest = nextSocketEvent(sender.socketClient, 'direct');
    expect(await rest(node(2), '/api/socket/direct', backend, { userId: 'sender', event: 'rest', data: { ok: true } })).toEqual({
      status: 200,
      body: { realm, recipients: 1 },
    });
    expect(await viaRest).toMatchObject({ event: 'rest', data: { ok: true }, from: { userId: 'backend', connectionId: null } });

    await expect(sender.socketClient.directMessage({ userId: 'nobody' }, 'ping')).rejects.toBeInstanceOf(NotFoundError);
    await expect(sender.socketClient.directMessage('no-such-connection', 'ping')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('shows the same members, counts and presence events from every node', async () => {
    const realm = 'cp-members';
    const members = [await connected(node(0).url, 'm1', realm), await connected(node(1).url, 'm2', realm), await connected(node(2).url, 'm3', realm)];
    const seenByFirst = collectSocketEvents(members[0]!.socketClient, 'presence');
    for (const [i, member] of members.entries()) await member.socketClient.joinChannel('lobby', { state: { seat: i + 1 } });
    await seenByFirst.untilMatch(isEvent('join', id(members[2]!)));
    expect(seenByFirst.values.filter((event) => event.type === 'join').map((event) => event.member.userId)).toEqual(['m2', 'm3']);

    const expected = members.map((member, i) => [`m${i + 1}`, id(member), { seat: i + 1 }]);
    for (const member of members) expect(summary(await member.socketClient.members('lobby'))).toEqual(expected);

    const backend = await token('backend', realm, { permissions: ['service'] });
    for (const target of nodes) {
      const listed = await rest<(PresenceMember & { socketId: string })[]>(target, '/api/socket/channels/lobby/members', backend);
      expect(listed.status).toBe(200);
      expect(summary(listed.body)).toEqual(expected);
      expect(listed.body.map((member) => member.socketId)).toEqual(members.map(id));
      expect((await rest(target, '/api/socket/channels', backend)).body).toEqual([{ name: 'lobby', memberCount: 3 }]);
      expect((await rest(target, '/api/socket/connections', backend)).body).toEqual({ count: 3 });
    }

    const update = nextSocketEvent(members[2]!.socketClient, 'presence', isEvent('update', id(members[1]!)));
    await members[1]!.socketClient.updatePresence('lobby', { seat: 22 });
    expect((await update).member.state).toEqual({ seat: 22 });
    expect(summary(await members[0]!.socketClient.members('lobby'))[1]).toEqual(['m2', id(members[1]!), { seat: 22 }]);

    const leave = nextSocketEvent(members[0]!.socketClient, 'presence', isEvent('leave', id(members[2]!)));
    await members[2]!.socketClient.leaveChannel('lobby');
    expect(await leave).toMatchObject({ reason: 'left', userLeft: true });
    for (const member of members) expect((await member.socketClient.members('lobby')).map((m) => m.userId)).toEqual(['m1', 'm2']);
  });

  it('reports a data provider on one node to clients and REST on the others', async () => {
    const realm = 'cp-dpv';
    const watcher = await connected(node(1).url, 'watcher', realm, { permissions: ['service'] });
    watcher.subscribe({ topic: 'presence.status', filter: { id: 'riders/7' } });
    await watcher.ready();
    const statuses = collect(watcher, 'event:presence.status');
    const statusOf = (events: RealtimeEvent[]) => events.map((event) => event.payload.connectionStatus);

    const provider = await connected(node(0).url, 'device-7', realm, { dpv: { [realm]: ['riders/7'] } });
    // Registered before the provider heard it was connected, so any node answers `connected` now.
    expect(await watcher.connectionStatus('riders/7')).toBe('connected');
    const backend = await token('backend', realm, { permissions: ['service'] });
    expect(await rest<ObjectPresence>(node(2), '/api/presence/objects/riders/7', backend)).toEqual({
      status: 200,
      body: { id: 'riders/7', connectionStatus: 'connected', providerCount: 1 },
    });
    await statuses.until(1);
    expect(statuses.values[0]).toMatchObject({ topic: 'presence.status', type: 'connectionStatusChanged', payload: { id: 'riders/7' } });

    provider.disconnect();
    await statuses.until(2);
    expect(statusOf(statuses.values)).toEqual(['connected', 'disconnected']);
    expect(await watcher.connectionStatus('riders/7')).toBe('disconnected');
    expect((await rest<ObjectPresence>(node(2), '/api/presence/objects/riders/7', backend)).body.providerCount).toBe(0);
  });

  it(
    'removes the members of a SIGKILLed node within the heartbeat timeout plus one heartbeat',
    async () => {
      const realm = 'cp-crash';
      const victim = await startPlatformNode(nodeEnv());
      try {
        const observers = [
          await connected(node(0).url, 'observer-a', realm, { permissions: ['service'] }),
          await connected(node(1).url, 'observer-b', realm, { permissions: ['service'] }),
        ];
        for (const observer of observers) {
          observer.subscribe({ topic: 'presence.status' });
          await observer.ready();
          await observer.socketClient.joinChannel('vigil');
        }
        const statuses = collect(observers[1]!, 'event:presence.status');
        const noRetry = { reconnection: false };
        const ghosts = [
          await connected(victim.url, 'ghost', realm, { dpv: { [realm]: ['beacons/1'] } }, noRetry),
          await connected(victim.url, 'ghost-2', realm, {}, noRetry),
        ];
        for (const ghost of ghosts) await ghost.socketClient.joinChannel('vigil');
        const ghostIds = ghosts.map(id);
        const before = await observers[0]!.socketClient.members('vigil');
        expect(before.map((member) => member.connectionId)).toEqual([...observers.map(id), ...ghostIds]);
        expect(await observers[1]!.connectionStatus('beacons/1')).toBe('connected');

        const presence = observers.map((observer) => collectSocketEvents(observer.socketClient, 'presence'));
        const leftGhosts = (index: number) =>
          (presence[index]?.values ?? [])
            .filter((event) => event.type === 'leave')
            .map((event) => event.member.connectionId)
            .sort();
        const killedAt = Date.now();
        await victim.kill();

        // The node's last heartbeat was at or before the kill, so the bound counts from there.
        const bound = { timeout: CLEANUP_BOUND_MS + DELIVERY_SLACK_MS, interval: 50 };
        await expect.poll(() => leftGhosts(0), bound).toEqual([...ghostIds].sort());
        await expect.poll(() => leftGhosts(1), bound).toEqual([...ghostIds].sort());
        const elapsed = Date.now() - killedAt;
        expect(elapsed).toBeLessThanOrEqual(CLEANUP_BOUND_MS + DELIVERY_SLACK_MS);
        for (const events of presence) {
          expect(events.values.filter((event) => event.type === 'leave')).toEqual(
            ghostIds.map(() => expect.objectContaining({ channel: 'vigil', reason: 'expired', userLeft: true })),
          );
        }

        const changes = () => statuses.values.map((event) => `${String(event.payload.id)} ${String(event.payload.connectionStatus)}`);
        await expect.poll(changes, bound).toContain('beacons/1 disconnected');
        for (const observer of observers) {
          expect((await observer.socketClient.members('vigil')).map((member) => member.connectionId)).toEqual(observers.map(id));
          expect(await observer.connectionStatus('beacons/1')).toBe('disconnected');
        }
        await expect(observers[0]!.socketClient.directMessage({ userId: 'ghost' }, 'ping')).rejects.toBeInstanceOf(NotFoundError);
        const backend = await token('backend', realm, { permissions: ['service'] });
        expect((await rest(node(2), '/api/socket/connections', backend)).body).toEqual({ count: 2 });
      } finally {
        await victim.kill();
      }
    },
    CLEANUP_BOUND_MS + DELIVERY_SLACK_MS + 20_000,
  );

  it('recovers channel messages on another node: what was missed, then live ones from a third node, in order and once', async () => {
    const realm = 'cp-recover';
    const lb = await startBalancer(node(0).port);
    try {
      const talker = await connected(node(2).url, 'talker', realm, { permissions: ['service'] });
      const listener = await connected(lb.url, 'listener', realm);
      await listener.socketClient.joinChannel('ticker');
      const received = collectSocketEvents(listener.socketClient, 'message');
      const rejoined = nextSocketEvent(listener.socketClient, 'rejoined');
      const total = 120;
      for (let n = 1; n <= total; n += 1) {
        await talker.socketClient.publish('ticker', 'tick', { n });
        if (n === 40) {
          lb.target(node(1).port);
          lb.cutAll();
        }
        // Let the re-join on node 1 interleave with publishing on node 2.
        if (n % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await rejoined).toEqual({ channel: 'ticker', recovered: true });
      await talker.socketClient.publish('ticker', 'tick', { n: total + 1 });
      await received.until(total + 1);
      expect(received.values.map((message) => (message.data as { n: number }).n)).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    } finally {
      await lb.close();
    }
  });

  it('rejoins channels after the client reconnects to another node through the balancer', async () => {
    const realm = 'cp-roam';
    const lb = await startBalancer(node(0).port);
    try {
      const watcher = await connected(node(2).url, 'watcher', realm);
      await watcher.socketClient.joinChannel('plaza');
      const seen = collectSocketEvents(watcher.socketClient, 'presence');
      const roamer = await connected(lb.url, 'roamer', realm);
      await roamer.socketClient.joinChannel('plaza', { state: { mood: 'fine' } });
      const firstId = id(roamer);
      await seen.untilMatch(isEvent('join', firstId));

      lb.target(node(1).port);
      lb.cutAll();
      // Node A notices the dropped connection (leave) and node B takes the re-join (join), in
      // either order.
      await seen.untilMatch((event) => event.type === 'join' && event.member.userId === 'roamer' && event.member.connectionId !== firstId);
      await seen.untilMatch(isEvent('leave', firstId));
      const secondId = id(roamer);
      expect(secondId).not.toBe(firstId);
      expect(seen.values.find(isEvent('leave', firstId))).toMatchObject({ reason: 'disconnected' });
      expect(seen.values.find(isEvent('join', secondId))).toMatchObject({ member: { userId: 'roamer', state: { mood: 'fine' } } });

      const backend = await token('backend', realm, { permissions: ['service'] });
      for (const target of nodes) {
        const listed = await rest<PresenceMember[]>(target, '/api/socket/channels/plaza/members', backend);
        expect(listed.body.map((member) => member.connectionId)).toEqual([id(watcher), secondId]);
      }
      const inbox = nextSocketEvent(roamer.socketClient, 'message');
      await watcher.socketClient.publish('plaza', 'hello', { to: 'roamer' });
      expect(await inbox).toMatchObject({ channel: 'plaza', event: 'hello', from: { userId: 'watcher' } });
    } finally {
      await lb.close();
    }
  });
});
