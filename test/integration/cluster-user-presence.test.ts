import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserLoginChange } from '../../client/index.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';

// User presence across two nodes sharing Redis: a user is logged in to a realm while one of
// their connections is open there, whichever node holds it.
let nodes: TwoNodes;

beforeAll(async () => {
  nodes = await startTwoNodes({ limits: { maxWatchedUsersPerConnection: 3 } });
});

afterAll(() => nodes.close());

const clientToken = (sub: string, realm = 'demo') => nodes.token(sub, { realm, permissions: ['client'] });

function changes() {
  const seen: UserLoginChange[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    seen,
    handler: (change: UserLoginChange): void => {
      seen.push(change);
      for (const waiter of [...waiters]) if (seen.length >= waiter.count) waiter.resolve();
    },
    until: (count: number): Promise<UserLoginChange[]> =>
      seen.length >= count ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ count, resolve: () => resolve(seen) })),
  };
}

describe('user presence across two nodes', () => {
  it('reports a login on one node and the logout after the last connection closes on the other', async () => {
    const watcher = await nodes.client(0, await clientToken('watcher'));
    const heard = changes();
    await watcher.users.subscribe(['bob'], heard.handler);
    await expect(watcher.users.getAll(['bob', 'watcher'])).resolves.toEqual({ bob: false, watcher: true });

    const bobOnB = await nodes.client(1, await clientToken('bob'));
    await heard.until(1);
    const bobOnA = await nodes.client(0, await clientToken('bob'));
    await expect(watcher.users.getAll()).resolves.toEqual(expect.arrayContaining(['bob', 'watcher']));
    bobOnB.destroy();
    await expect(watcher.users.getAll(['bob'])).resolves.toEqual({ bob: true }); // still on node A
    bobOnA.destroy();
    await heard.until(2);
    expect(heard.seen).toEqual([
      { realm: 'demo', userId: 'bob', loggedIn: true },
      { realm: 'demo', userId: 'bob', loggedIn: false },
    ]);
    await expect(watcher.users.getAll(['bob'])).resolves.toEqual({ bob: false });
  });

  it('watches every user of the realm, never another realm', async () => {
    const watcher = await nodes.client(1, await clientToken('all-watcher'));
    const heard = changes();
    await watcher.users.subscribe(undefined, heard.handler);
    const elsewhere = await nodes.client(0, await clientToken('carol', 'other'));
    const dave = await nodes.client(0, await clientToken('dave'));
    await heard.until(1);
    expect(heard.seen).toEqual([{ realm: 'demo', userId: 'dave', loggedIn: true }]);
    await expect(watcher.users.getAll()).resolves.not.toContain('carol');
    elsewhere.destroy();
    dave.destroy();
    await heard.until(2);
    expect(heard.seen[1]).toEqual({ realm: 'demo', userId: 'dave', loggedIn: false });
  });

  it('needs R on user/<id>, and bounds the users one connection watches', async () => {
    const limited = await nodes.client(0, await nodes.token('limited', { realm: 'demo', per: { demo: { 'user/team-*': 'R' } } }));
    await expect(limited.users.getAll(['team-a'])).resolves.toEqual({ 'team-a': false });
    await expect(limited.users.getAll(['boss'])).rejects.toMatchObject({ code: 'FORBIDDEN', details: { resource: 'user/boss', permission: 'R' } });
    await expect(limited.users.getAll()).rejects.toMatchObject({ code: 'FORBIDDEN', details: { resource: 'user/*' } });
    await limited.users.subscribe(['team-a', 'team-b', 'team-c'], () => undefined);
    await expect(limited.users.subscribe(['team-d'], () => undefined)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 3 } });
  });

  it('watches again after a reconnect and reports what changed meanwhile', async () => {
    const watcher = await nodes.client(0, await clientToken('reconnecting-watcher'));
    const heard = changes();
    await watcher.users.subscribe(['erin'], heard.handler);
    watcher.disconnect();
    const erin = await nodes.client(1, await clientToken('erin'));
    watcher.connect();
    await heard.until(1);
    expect(heard.seen).toEqual([{ realm: 'demo', userId: 'erin', loggedIn: true }]);
    erin.destroy();
    await heard.until(2);
    expect(heard.seen[1]).toMatchObject({ userId: 'erin', loggedIn: false });
  });

  it('answers GET /api/users for backends', async () => {
    await nodes.client(1, await clientToken('frank'));
    const bearer = await nodes.token('backend');
    const response = await fetch(`${nodes.urls[0]}/api/users?users=frank,nobody`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ realm: 'demo', users: { frank: true, nobody: false } });
  });
});
