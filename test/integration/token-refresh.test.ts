import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage, PresenceEvent, RealtimeClient, RealtimeError } from '../../client/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

// Issue 11, item 4: a refreshed token (`setToken` / `auth:refresh`) that no longer grants a realm
// or a right takes away everything it no longer allows, not only topic subscriptions.

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Records a socket client's events of one kind. */
function record<K extends 'message' | 'presence'>(client: RealtimeClient, event: K, realm?: string) {
  const values: (K extends 'message' ? ChannelMessage : PresenceEvent)[] = [];
  const socketClient = realm === undefined ? client.socketClient : client.realm(realm).socketClient;
  socketClient.on(event, (value) => values.push(value as never));
  return values;
}

/** Resolves with the next `'error'` of the client matching `predicate`. */
function nextError(client: RealtimeClient, predicate: (error: RealtimeError) => boolean): Promise<RealtimeError> {
  return nextEvent(client, 'error', predicate);
}

/** Waits until `check` holds, re-checking after each presence event `observer` receives. */
async function presenceSettles(observer: RealtimeClient, check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) {
    await new Promise<void>((resolve) => {
      const off = observer.socketClient.on('presence', () => {
        off();
        resolve();
      });
    });
  }
}

describe('a refreshed token that no longer grants the realm', () => {
  it('leaves channels and open documents, stops document watches and data providers, with typed errors', async () => {
    const realm = 'refresh-london';
    const other = 'refresh-paris';
    const bob = t.client({ token: await t.token({ sub: 'bob', realm, permissions: ['service'] }) });
    bob.subscribe({ topic: 'presence.status' });
    await bob.ready();
    await bob.socketClient.joinChannel('lobby');
    await bob.socketClient.openDocument('notes', 'n1');
    await bob.sync.create('notes', { text: 'v1' }, 'n1');
    const status = collect(bob, 'event:presence.status');

    const alice = t.client({
      token: await t.token({
        sub: 'alice',
        realm,
        permissions: ['client'],
        per: { [realm]: { 'doc/notes/*': 'P' } },
        dpv: { [realm]: ['riders/alice'] },
      }),
    });
    await alice.ready();
    await status.until(1);
    expect(status.values[0]?.payload).toEqual({ id: 'riders/alice', connectionStatus: 'connected' });
    await alice.socketClient.joinChannel('lobby');
    await alice.socketClient.openDocument('notes', 'n1');
    const watched: SyncDocument[] = [];
    const firstRevision = new Promise<void>((resolve) => {
      alice.sync.subscribe('notes', 'n1', (doc) => {
        watched.push(doc);
        resolve();
      });
    });
    await firstRevision;
    const aliceMessages = record(alice, 'message');
    const bobPresence = record(bob, 'presence');
    await presenceSettles(bob, async () => (await bob.socketClient.members('lobby')).some((m) => m.userId === 'alice'));

    const channelRevoked = nextError(alice, (error) => (error.details as { channel?: string } | undefined)?.channel === 'lobby');
    // An open document needed P (presence), a document watch R.
    const documentRevoked = nextError(alice, (error) => aboutDocument(error, 'n1', 'P'));
    const watchStopped = nextError(alice, (error) => aboutDocument(error, 'n1', 'R'));
    const providerGone = status.until(2);

    await alice.setToken(await t.token({ sub: 'alice', realm: other, dpv: { [other]: ['riders/alice-paris'] } }));

    const channelError = await channelRevoked;
    expect(channelError).toMatchObject({ name: 'ForbiddenError', code: 'FORBIDDEN', details: { channel: 'lobby', realm } });
    expect(alice.socketClient.joinedChannels()).toEqual([]);
    expect(await documentRevoked).toMatchObject({ code: 'FORBIDDEN', details: { document: { service: 'notes', id: 'n1' }, realm } });
    expect(await watchStopped).toMatchObject({ code: 'FORBIDDEN', details: { document: { service: 'notes', id: 'n1' }, realm } });

    // Others see alice leave both sets, and she is no longer listed in either.
    await presenceSettles(bob, async () => bobPresence.filter((event) => event.type === 'leave').length >= 2);
    expect(bobPresence.filter((event) => event.type === 'leave')).toEqual([
      expect.objectContaining({ channel: 'lobby', reason: 'revoked', member: expect.objectContaining({ userId: 'alice' }) }),
      expect.objectContaining({ document: { service: 'notes', id: 'n1' }, reason: 'revoked' }),
    ]);
    expect((await bob.socketClient.members('lobby')).map((m) => m.userId)).toEqual(['bob']);
    expect((await bob.socketClient.members({ service: 'notes', id: 'n1' })).map((m) => m.userId)).toEqual(['bob']);

    // Her data provider in the old realm is disconnected.
    await providerGone;
    expect(status.values[1]?.payload).toEqual({ id: 'riders/alice', connectionStatus: 'disconnected' });
    expect(await bob.connectionStatus('riders/alice')).toBe('disconnected');

    // No more channel messages: a message to the lobby, then an event she does receive on the same
    // connection (delivered after it, so the lobby message would have arrived first).
    const paris = t.client({ token: await t.token({ sub: 'paris-service', realm: other, permissions: ['service'] }) });
    alice.realm(other).subscribe({ topic: 'marker.sent' });
    await alice.ready();
    await bob.socketClient.publish('lobby', 'chat', { text: 'still there?' });
    await bob.sync.merge('notes', 'n1', { text: 'v2' });
    const marker = nextEvent(alice.realm(other), 'event:marker.sent');
    await paris.publish('marker.sent', { n: 1 });
    await marker;
    expect(aliceMessages).toEqual([]);
    expect(watched.map((doc) => doc.revision)).toEqual([1]);
  });

  it('moves data-provider registrations to what the new token provides', async () => {
    const realm = 'refresh-dpv';
    const watcher = t.client({ token: await t.token({ sub: 'watcher', realm, permissions: ['service'] }) });
    watcher.subscribe({ topic: 'presence.status' });
    await watcher.ready();
    const status = collect(watcher, 'event:presence.status');
    const device = t.client({ token: await t.token({ sub: 'device', realm, dpv: { [realm]: ['riders/1', 'vans/*'] } }) });
    await device.ready();
    await status.until(2);

    await device.setToken(await t.token({ sub: 'device', realm, dpv: { [realm]: ['vans/*', 'bikes/9'] } }));
    await status.until(4);
    const changes = status.values.map((event) => `${event.payload.id as string} ${event.payload.connectionStatus as string}`);
    expect(changes.slice(2).sort()).toEqual(['bikes/9 connected', 'riders/1 disconnected']);
    expect(await watcher.connectionStatus('vans/3')).toBe('connected');
    expect(await watcher.connectionStatus('riders/1')).toBe('disconnected');
    expect(await watcher.connectionStatus('bikes/9')).toBe('connected');
  });
});

describe('a refreshed token that keeps the realm but narrows the rights', () => {
  it('leaves what it may no longer read and hides from presence where it lost P', async () => {
    const realm = 'refresh-narrow';
    const owner = t.client({ token: await t.token({ sub: 'owner', realm, permissions: ['service'] }) });
    await owner.ready();
    await owner.socketClient.joinChannel('kept');
    await owner.socketClient.joinChannel('hidden');
    await owner.socketClient.joinChannel('gone');
    await owner.sync.create('notes', { v: 1 }, 'secret');
    await owner.sync.create('notes', { v: 1 }, 'open');

    const wide = { [realm]: { 'channel/*': 'RCP', 'doc/notes/*': 'RP' } };
    const user = t.client({ token: await t.token({ sub: 'user', realm, per: wide }) });
    await user.ready();
    for (const channel of ['kept', 'hidden', 'gone']) await user.socketClient.joinChannel(channel);
    const seen: string[] = [];
    const seenBoth = new Promise<void>((resolve) => {
      for (const id of ['secret', 'open']) {
        user.sync.subscribe('notes', id, (doc) => {
          seen.push(`${doc.id}@${doc.revision}`);
          if (seen.length === 2) resolve();
        });
      }
    });
    await seenBoth;
    const ownerPresence = record(owner, 'presence');
    const userMessages = record(user, 'message');
    const errors = collect(user, 'error');

    const narrow = { [realm]: { 'channel/kept': 'RCP', 'channel/hidden': 'R', 'doc/notes/open': 'R' } };
    await user.setToken(await t.token({ sub: 'user', realm, per: narrow }));
    await errors.until(3);
    await presenceSettles(owner, async () => ownerPresence.filter((event) => event.type === 'leave').length >= 2);

    expect(
      errors.values.map((error) => [error.code, (error.details as Record<string, unknown>).channel ?? (error.details as Record<string, unknown>).document]),
    ).toEqual(
      expect.arrayContaining([
        ['FORBIDDEN', 'gone'],
        ['FORBIDDEN', 'hidden'],
        ['FORBIDDEN', { service: 'notes', id: 'secret' }],
      ]),
    );
    expect(user.socketClient.joinedChannels().sort()).toEqual(['hidden', 'kept']);
    expect(
      ownerPresence
        .filter((event) => event.type === 'leave')
        .map((event) => event.channel)
        .sort(),
    ).toEqual(['gone', 'hidden']);
    expect((await owner.socketClient.members('hidden')).map((m) => m.userId)).toEqual(['owner']);
    expect((await owner.socketClient.members('kept')).map((m) => m.userId).sort()).toEqual(['owner', 'user']);

    // Still a member of `hidden` (R) and `kept`, not of `gone`; still watching `open`, not `secret`.
    await owner.socketClient.publish('gone', 'chat', 'x');
    await owner.socketClient.publish('hidden', 'chat', 'y');
    await owner.socketClient.publish('kept', 'chat', 'z');
    await owner.sync.merge('notes', 'secret', { v: 2 });
    const openUpdated = new Promise<void>((resolve) => {
      user.sync.subscribe('notes', 'open', (doc) => {
        if (doc.revision === 2) resolve();
      });
    });
    await owner.sync.merge('notes', 'open', { v: 2 });
    await openUpdated;
    await new Promise<void>((resolve) => {
      if (userMessages.length >= 2) resolve();
      else user.socketClient.on('message', () => userMessages.length >= 2 && resolve());
    });
    expect(userMessages.map((message) => message.channel)).toEqual(['hidden', 'kept']);
    expect(seen).not.toContain('secret@2');
  });
});

describe('setToken and the default realm', () => {
  it("follows the token's only realm when the client was built with a placeholder token", async () => {
    const client = t.client({ token: 'placeholder', autoConnect: false });
    expect(client.realmId).toBe('default');
    await client.setToken(await t.token({ sub: 'late', realm: 'refresh-late' }));
    expect(client.realmId).toBe('refresh-late');
    client.connect();
    await client.ready();
    const owner = t.client({ token: await t.token({ sub: 'owner', realm: 'refresh-late', permissions: ['service'] }) });
    await owner.sync.create('notes', { hello: 'late' }, 'late-1');
    expect((await client.sync.get('notes', 'late-1')).data).toEqual({ hello: 'late' });
  });

  it("follows the token's realm on a live connection, and never overrides an explicit realm option", async () => {
    const client = t.client({ token: await t.token({ sub: 'mover', realm: 'refresh-a' }) });
    await client.ready();
    expect(client.realmId).toBe('refresh-a');
    await client.setToken(await t.token({ sub: 'mover', realm: 'refresh-b' }));
    expect(client.realmId).toBe('refresh-b');
    expect(await client.socketClient.joinChannel('here')).toMatchObject({ channel: 'here' });

    const pinned = t.client({ token: await t.token({ sub: 'pinned', realms: ['refresh-a', 'refresh-b'] }), realm: 'refresh-a' });
    await pinned.ready();
    await pinned.setToken(await t.token({ sub: 'pinned', realm: 'refresh-b' }));
    expect(pinned.realmId).toBe('refresh-a');
  });
});

/** Whether a revocation error names document `id` and the permission `letter` it lost. */
function aboutDocument(error: RealtimeError, id: string, letter: 'R' | 'P'): boolean {
  const details = error.details as { document?: { id?: string }; permission?: string } | undefined;
  return details?.document?.id === id && details.permission === letter;
}
