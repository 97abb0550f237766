import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deepstream, { type DeepstreamClient } from '../../client/deepstream/index.js';
import { startTwoNodes, type TwoNodes } from '../support/deepstream-nodes.js';

// The dialect's rpc, presence and event listening, mapped onto RealtimeClient's rpc, users and
// listening, across two nodes.
let nodes: TwoNodes;
const clients: DeepstreamClient[] = [];
const grants = { per: { demo: { 'doc/records/*': 'CRUD', 'topic/ds.*': 'CR', 'rpc/*': 'CP', 'user/*': 'R', 'record/*': 'C' } } };

beforeAll(async () => {
  nodes = await startTwoNodes();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await nodes.close();
});

async function loggedIn(url: string, sub: string): Promise<DeepstreamClient> {
  const client = deepstream(url);
  clients.push(client);
  await client.login({ token: await nodes.token(sub, grants) });
  return client;
}

describe('deepstream rpc across two nodes', () => {
  it('makes a call provided on the other node, in the callback and the Promise form, with the requestor', async () => {
    const provider = await loggedIn(nodes.a.url, 'calculator');
    const requestors: string[] = [];
    provider.rpc.provide('math/add', (data, response, { requestorName }) => {
      requestors.push(requestorName);
      const { a, b } = data as { a: number; b: number };
      response.send(a + b);
    });
    const caller = await loggedIn(nodes.b.url, 'tom');
    await expect.poll(() => caller.rpc.make('math/add', { a: 1, b: 2 }).catch((error: unknown) => error)).toBe(3);
    const viaCallback = await new Promise<[string | null, unknown]>(
      (resolve) => void caller.rpc.make('math/add', { a: 2, b: 3 }, (error, result) => resolve([error, result])),
    );
    expect(viaCallback).toEqual([null, 5]);
    expect(requestors.at(-1)).toBe('tom');
    expect(provider.rpc.providerNames()).toEqual(['math/add']);
  });

  it('passes a provider error as its message, tries another provider on reject, and says NO_RPC_PROVIDER', async () => {
    const refusing = await loggedIn(nodes.a.url, 'refusing');
    let rejected = 0;
    refusing.rpc.provide('jobs/run', (_data, response) => {
      rejected += 1;
      response.reject();
    });
    const failing = await loggedIn(nodes.a.url, 'failing');
    failing.rpc.provide('jobs/fail', (_data, response) => response.error('disk full'));
    const caller = await loggedIn(nodes.b.url, 'tom');
    await expect.poll(() => caller.rpc.make('jobs/fail', {}).catch((error: unknown) => error)).toBe('disk full');
    await expect(caller.rpc.make('jobs/run', {})).rejects.toBe('NO_RPC_PROVIDER');
    expect(rejected).toBeGreaterThan(0);

    const willing = await loggedIn(nodes.b.url, 'willing');
    willing.rpc.provide('jobs/run', (_data, response) => response.send('done'));
    await expect.poll(() => caller.rpc.make('jobs/run', {}).catch((error: unknown) => error)).toBe('done');
    await expect(caller.rpc.make('nobody/here', {})).rejects.toBe('NO_RPC_PROVIDER');
  });
});

describe('deepstream presence across two nodes', () => {
  it('tells a subscriber when a user logs in and out on the other node, and lists who is logged in', async () => {
    const watcher = await loggedIn(nodes.a.url, 'watcher');
    const changes: [string, boolean][] = [];
    const seen = (count: number) => expect.poll(() => changes.length).toBeGreaterThanOrEqual(count);
    watcher.presence.subscribe('carol', (user, isLoggedIn) => changes.push([user, isLoggedIn]));
    await expect.poll(() => watcher.presence.getAll(['carol'])).toEqual({ carol: false });
    const carol = await loggedIn(nodes.b.url, 'carol');
    await seen(1);
    expect(await watcher.presence.getAll()).toEqual(expect.arrayContaining(['watcher', 'carol']));
    carol.close();
    await seen(2);
    expect(changes).toEqual([
      ['carol', true],
      ['carol', false],
    ]);
  });
});

describe('deepstream event listening across two nodes', () => {
  it('offers a matching event to the listener when it gains a subscriber, and stops when the last leaves', async () => {
    const feed = await loggedIn(nodes.a.url, 'feed');
    const matches: string[] = [];
    const stopped: string[] = [];
    feed.event.listen('prices/*', (match, response) => {
      matches.push(match);
      response.accept();
      response.onStop(() => stopped.push(match));
    });
    const reader = await loggedIn(nodes.b.url, 'reader');
    const tick = (): void => undefined;
    // Whichever reaches the server first, the listen or the subscription, the offer follows.
    reader.event.subscribe('prices/EUR', tick);
    await expect.poll(() => matches).toEqual(['prices/EUR']);
    reader.event.unsubscribe('prices/EUR', tick);
    await expect.poll(() => stopped).toEqual(['prices/EUR']);
  });
});

describe('deepstream record listening across two nodes', () => {
  it('offers a record to its listener when someone gets it, shows hasProvider, and stops when the last discards it', async () => {
    const feed = await loggedIn(nodes.a.url, 'feed');
    const stopped: string[] = [];
    feed.record.listen('quotes/*', (match, response) => {
      response.accept();
      void feed.record.setData(match, { price: 42 });
      response.onStop(() => stopped.push(match));
    });
    const reader = await loggedIn(nodes.b.url, 'reader');
    const record = reader.record.getRecord('quotes/eur');
    const providerChanges: boolean[] = [];
    record.on('hasProviderChanged', (hasProvider: never) => providerChanges.push(hasProvider));
    await expect.poll(() => record.get('price')).toBe(42);
    await expect.poll(() => record.hasProvider).toBe(true);
    expect(providerChanges).toEqual([true]);
    record.discard();
    await expect.poll(() => stopped).toEqual(['quotes/eur']);
  });

  it('refuses listening on records without C on record/<pattern>', async () => {
    const client = deepstream(nodes.a.url);
    clients.push(client);
    await client.login({ token: await nodes.token('plain') });
    const refused = new Promise<unknown[]>((resolve) => client.on('error', (...args: never[]) => resolve(args)));
    client.record.listen('quotes/*', () => undefined);
    expect(await refused).toEqual([expect.stringContaining('Not permitted'), 'MESSAGE_DENIED', 'R']);
  });
});
