import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deepstream, { type DeepstreamClient } from '../../client/deepstream/index.js';
import { startTwoNodes, type TwoNodes } from '../support/deepstream-nodes.js';

// deepstream events on ds.* topics across two nodes.
let nodes: TwoNodes;
const clients: DeepstreamClient[] = [];

beforeAll(async () => {
  nodes = await startTwoNodes();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await nodes.close();
});

async function loggedIn(url: string, sub: string, claims = {}): Promise<DeepstreamClient> {
  const client = deepstream(url);
  clients.push(client);
  await client.login({ token: await nodes.token(sub, claims) });
  return client;
}

function next(client: DeepstreamClient, name: string): Promise<unknown> {
  return new Promise((resolve) => {
    const callback = (data: unknown): void => {
      client.event.unsubscribe(name, callback);
      resolve(data);
    };
    client.event.subscribe(name, callback);
  });
}

describe('deepstream events across two nodes', () => {
  it("delivers an emit to subscribers on the other node, and to the emitter's own callbacks once", async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const own: unknown[] = [];
    lisa.event.subscribe('news/Sports', (data) => own.push(data));
    const heard = next(tom, 'news/Sports');
    const other = next(tom, 'news/sports'); // another name: another topic
    await tom.realtime!.ready();
    lisa.event.emit('news/Sports', { score: '2:1' });
    lisa.event.emit('news/sports', 'lowercase');
    expect(await heard).toEqual({ score: '2:1' });
    expect(await other).toBe('lowercase');
    expect(own).toEqual([{ score: '2:1' }]);
    expect(lisa.event.eventNames()).toEqual(['news/Sports']);
  });

  it('stops delivering after unsubscribe, and emits without data', async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const seen: unknown[] = [];
    const callback = (data: unknown): void => void seen.push(data);
    tom.event.subscribe('pings', callback);
    const ping = next(tom, 'pings');
    await tom.realtime!.ready();
    lisa.event.emit('pings');
    expect(await ping).toBeUndefined();
    tom.event.unsubscribe('pings', callback);
    const marker = next(tom, 'after');
    await tom.realtime!.ready();
    lisa.event.emit('pings', 'not delivered');
    lisa.event.emit('after', 'marker');
    expect(await marker).toBe('marker');
    expect(seen).toEqual([undefined]);
  });

  it('applies topic permissions: an emit without C is reported as MESSAGE_DENIED on topic E', async () => {
    const reader = await loggedIn(nodes.a.url, 'reader', { per: { demo: { 'topic/ds.*': 'R' } } });
    const denied = new Promise<unknown[]>((resolve) => reader.on('error', (...args: never[]) => resolve(args)));
    reader.event.emit('news/sports', 'nope');
    expect(await denied).toEqual([expect.stringContaining('Not permitted'), 'MESSAGE_DENIED', 'E']);
  });
});
