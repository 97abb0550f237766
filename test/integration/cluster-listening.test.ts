import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListenStopReasonOnClient, RealtimeClient } from '../../client/index.js';
import type { ProviderChangedNotice } from '../../shared/index.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';

// Listening across two nodes sharing Redis: subscribers and listeners on different nodes meet
// through the adapter's rooms, and the one provider per stream is a lock in Redis.
let nodes: TwoNodes;

beforeAll(async () => {
  nodes = await startTwoNodes({ limits: { listenAcceptTimeoutMs: 500, maxListensPerConnection: 3 } });
});

afterAll(() => nodes.close());

async function service(index: 0 | 1, sub: string): Promise<RealtimeClient> {
  return nodes.client(index, await nodes.token(sub));
}

/** A queue of values pushed by callbacks, read in order with `next()`. */
function queue<T>() {
  const values: T[] = [];
  const waiters: ((value: T) => void)[] = [];
  return {
    push(value: T): void {
      const waiter = waiters.shift();
      if (waiter === undefined) values.push(value);
      else waiter(value);
    },
    next(): Promise<T> {
      const value = values.shift();
      return value === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(value);
    },
    get pending(): number {
      return values.length;
    },
  };
}

describe('listening across two nodes', () => {
  it('offers a topic when its first subscriber comes (on the other node) and stops it when the last one leaves', async () => {
    const provider = await service(0, 'price-feed');
    const starts = queue<string>();
    const stops = queue<ListenStopReasonOnClient>();
    await provider.listen('prices.*', (match, response) => {
      response.accept();
      starts.push(match);
      response.onStop((reason) => stops.push(reason));
    });
    const first = await service(1, 'trader-1');
    const second = await service(0, 'trader-2');
    const provided = queue<ProviderChangedNotice>();
    first.listening.onProviderChanged((change) => provided.push(change));
    first.subscribe({ topic: 'prices.eur' });
    await first.ready();
    expect(await starts.next()).toBe('prices.eur');
    expect(await provided.next()).toMatchObject({ name: 'prices.eur', hasProvider: true });
    await expect(first.listening.hasProvider('prices.eur')).resolves.toBe(true);
    const secondId = second.subscribe({ topic: 'prices.eur' });
    await second.ready();
    const firstId = first.subscribe({ topic: 'prices.usd' });
    expect(await starts.next()).toBe('prices.usd');
    // prices.eur keeps its provider while one subscriber is left, on either node.
    first.unsubscribe(firstId);
    expect(await stops.next()).toBe('no-subscribers'); // prices.usd
    second.unsubscribe(secondId);
    const eurSubs = first.subscribe({ topic: 'prices.gbp' });
    expect(await starts.next()).toBe('prices.gbp');
    first.unsubscribe(eurSubs);
    expect(await stops.next()).toBe('no-subscribers');
    // Only prices.eur is left, with first's subscription: still provided.
    await expect(second.listening.hasProvider('prices.eur')).resolves.toBe(true);
    first.destroy();
    expect(await stops.next()).toBe('no-subscribers');
    await expect(second.listening.hasProvider('prices.eur')).resolves.toBe(false);
    expect(starts.pending).toBe(0);
  });

  it('fires at once for streams that already have subscribers, and hands a rejected stream to another listener', async () => {
    const subscriber = await service(1, 'reader');
    const provided = queue<ProviderChangedNotice>();
    subscriber.listening.onProviderChanged((change) => provided.push(change));
    subscriber.subscribe({ topic: 'news.sports' });
    await subscriber.ready();
    const busy = await service(0, 'busy-listener');
    const idle = await service(1, 'idle-listener');
    const offeredToBusy = queue<string>();
    const acceptedByIdle = queue<string>();
    await busy.listen('news.*', (match, response) => {
      offeredToBusy.push(match);
      response.reject();
    });
    expect(await offeredToBusy.next()).toBe('news.sports'); // at once: the subscription was there first
    await idle.listen('news.*', (match, response) => {
      response.accept();
      acceptedByIdle.push(match);
    });
    expect(await acceptedByIdle.next()).toBe('news.sports');
    // The accept is an answer to the server's offer: the server takes the stream's lock after it,
    // and tells the subscriber when it has.
    expect(await provided.next()).toMatchObject({ name: 'news.sports', hasProvider: true });
    await expect(subscriber.listening.hasProvider('news.sports')).resolves.toBe(true);
  });

  it('offers the stream again when its provider goes away, and tells subscribers whether it has one', async () => {
    const subscriber = await service(0, 'watcher');
    const changes = queue<ProviderChangedNotice>();
    subscriber.listening.onProviderChanged((change) => changes.push(change));
    const first = await service(1, 'first-provider');
    const firstStarts = queue<string>();
    await first.listen('weather.*', (match, response) => {
      response.accept();
      firstStarts.push(match);
    });
    subscriber.subscribe({ topic: 'weather.paris' });
    await subscriber.ready();
    expect(await firstStarts.next()).toBe('weather.paris');
    expect(await changes.next()).toMatchObject({ realm: 'demo', kind: 'topic', name: 'weather.paris', hasProvider: true });

    const second = await service(0, 'second-provider');
    const secondStarts = queue<string>();
    await second.listen('weather.*', (match, response) => {
      response.accept();
      secondStarts.push(match);
    });
    first.destroy();
    expect(await changes.next()).toMatchObject({ name: 'weather.paris', hasProvider: false });
    expect(await secondStarts.next()).toBe('weather.paris');
    expect(await changes.next()).toMatchObject({ name: 'weather.paris', hasProvider: true });

    // Unlistening hands the stream over the same way; with nobody left it has no provider.
    const secondStops = queue<ListenStopReasonOnClient>();
    await second.listening.unlisten('weather.*');
    expect(await changes.next()).toMatchObject({ name: 'weather.paris', hasProvider: false });
    await expect(subscriber.listening.hasProvider('weather.paris')).resolves.toBe(false);
    expect(secondStops.pending).toBe(0);
  });

  it('ends what a listener provides when its connection drops, and offers it again once it listens again after the reconnect', async () => {
    const subscriber = await service(1, 'loyal-reader');
    subscriber.subscribe({ topic: 'scores.live' });
    await subscriber.ready();
    const provider = await service(0, 'reconnecting-provider');
    const events = queue<string>();
    await provider.listen('scores.*', (match, response) => {
      response.accept();
      events.push(`start ${match}`);
      response.onStop((reason) => events.push(`stop ${reason}`));
    });
    expect(await events.next()).toBe('start scores.live');
    provider.disconnect();
    expect(await events.next()).toBe('stop disconnected');
    provider.connect();
    expect(await events.next()).toBe('start scores.live'); // the listen was re-sent, and the stream offered again
  });

  it('lets a listener take record streams the records feature reports, and refuses bad listens with typed errors', async () => {
    const provider = await service(0, 'record-provider');
    const starts = queue<string>();
    await provider.listening.listen(
      'user/*',
      (match, response) => {
        response.accept();
        starts.push(match);
      },
      { kind: 'record' },
    );
    // What the records feature does for a record subscription on node B.
    const holder = await service(1, 'record-reader');
    const provided = queue<ProviderChangedNotice>();
    holder.listening.onProviderChanged((change) => provided.push(change));
    nodes.servers[1].services.listening.subscriberAdded('demo', 'record', 'user/lisa', holder.socketClient.id as string);
    expect(await starts.next()).toBe('user/lisa');
    expect(await provided.next()).toMatchObject({ kind: 'record', name: 'user/lisa', hasProvider: true });
    await expect(holder.listening.hasProvider('user/lisa', { kind: 'record' })).resolves.toBe(true);

    await expect(provider.listening.listen('user/*', () => undefined, { kind: 'record' })).rejects.toMatchObject({ code: 'LISTENER_EXISTS' });
    await expect(provider.listening.unlisten('nothing.*')).rejects.toMatchObject({ code: 'NOT_LISTENING' });
    const browser = await nodes.client(1, await nodes.token('browser', { realm: 'demo', permissions: ['client'] }));
    await expect(browser.listen('prices.*', () => undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { resource: 'topic/prices.*', permission: 'C' },
    });
    await expect(provider.listen('a.*', () => undefined)).resolves.toBeTypeOf('function');
    await expect(provider.listen('b.*', () => undefined)).resolves.toBeTypeOf('function');
    await expect(provider.listen('c.*', () => undefined)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 3 } });
    await expect(provider.listen('(a+)+$', () => undefined)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
