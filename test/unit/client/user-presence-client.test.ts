import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { FeatureClientDeps } from '../../../client/feature-client-deps.js';
import { UserPresenceClient, type UserLoginChange } from '../../../client/user-presence-client.js';

/** A request whose answer the test gives when it wants. */
interface Pending {
  event: string;
  request: unknown;
  answer: (result: unknown) => void;
}

/** The client's deps over an in-memory socket: requests wait for the test to answer them. */
function fakeDeps(): { deps: FeatureClientDeps; socket: EventEmitter; pending: Pending[] } {
  const socket = new EventEmitter();
  const pending: Pending[] = [];
  const deps = {
    connection: { socket, state: 'connected' },
    requests: {
      request: (event: string, request: unknown) => new Promise((answer) => pending.push({ event, request, answer })),
    },
    defaultRealm: () => 'demo',
    reportError: (error: unknown) => {
      throw error;
    },
  } as unknown as FeatureClientDeps;
  return { deps, socket, pending };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('UserPresenceClient (deepstream presence.subscribe)', () => {
  it('reports a login announced while its starting states are read, even when the read answers from before it', async () => {
    const { deps, socket, pending } = fakeDeps();
    const presence = new UserPresenceClient(deps);
    const changes: UserLoginChange[] = [];
    const subscribed = presence.subscribe(['carol'], (change) => changes.push(change));
    pending.shift()?.answer({ realm: 'demo', users: ['carol'] }); // users:subscribe: registered
    await settle();
    const read = pending.shift();
    expect(read?.event).toBe('users:get');
    // Carol logs in on another node: the announcement overtakes the read's answer, collected before it.
    socket.emit('users:changed', { realm: 'demo', userId: 'carol', loggedIn: true });
    read?.answer({ users: { carol: false } });
    await subscribed;
    socket.emit('users:changed', { realm: 'demo', userId: 'carol', loggedIn: false });

    expect(changes.map(({ userId, loggedIn }) => [userId, loggedIn])).toEqual([
      ['carol', true],
      ['carol', false],
    ]);
  });

  it('starts from the states read when nothing is announced meanwhile, and reports what changes after', async () => {
    const { deps, socket, pending } = fakeDeps();
    const presence = new UserPresenceClient(deps);
    const changes: UserLoginChange[] = [];
    const subscribed = presence.subscribe(['carol'], (change) => changes.push(change));
    pending.shift()?.answer({ realm: 'demo', users: ['carol'] });
    await settle();
    pending.shift()?.answer({ users: { carol: true } });
    await subscribed;
    socket.emit('users:changed', { realm: 'demo', userId: 'carol', loggedIn: true }); // a second node's echo: no change
    socket.emit('users:changed', { realm: 'demo', userId: 'carol', loggedIn: false });

    expect(changes.map(({ userId, loggedIn }) => [userId, loggedIn])).toEqual([['carol', false]]);
  });

  it('does not report the watcher itself (or anyone) logging in while its read is on its way, when the read already counts them', async () => {
    const { deps, socket, pending } = fakeDeps();
    const presence = new UserPresenceClient(deps);
    const changes: UserLoginChange[] = [];
    const subscribed = presence.subscribe(undefined, (change) => changes.push(change));
    pending.shift()?.answer({ realm: 'demo', users: ['*'] });
    await settle();
    // The watcher's own connection is announced (every user is watched) before the read answers with it.
    socket.emit('users:changed', { realm: 'demo', userId: 'all-watcher', loggedIn: true });
    pending.shift()?.answer({ loggedIn: ['all-watcher'] });
    await subscribed;
    socket.emit('users:changed', { realm: 'demo', userId: 'dave', loggedIn: true });

    expect(changes.map(({ userId, loggedIn }) => [userId, loggedIn])).toEqual([['dave', true]]);
  });
});
