import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

let t: TestServer;
let serviceToken: string;

beforeAll(async () => {
  t = await startTestServer();
  serviceToken = await t.token({ sub: 'backend', realm: 'demo', permissions: ['service'] });
});
afterAll(() => t.close());

async function restPublish(body: unknown, token = serviceToken): Promise<Response> {
  return fetch(`${t.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

describe('topic subscriptions', () => {
  it('delivers an event published by one client to another subscribed client', async () => {
    const subscriber = t.client({ token: await t.token({ sub: 'bob', realm: 'demo' }) });
    const publisher = t.client({ token: serviceToken });
    const id = subscriber.subscribe({ topic: 'chat.message' });
    expect(id).toMatch(/^sub_\d+$/);
    await Promise.all([subscriber.ready(), publisher.ready()]);

    const received = nextEvent(subscriber, 'event:chat.message');
    const published = await publisher.publish('chat.message', { text: 'hello' }, { type: 'chat.sent' });
    const event = await received;

    expect(event).toEqual(published);
    expect(event).toMatchObject({
      topic: 'chat.message',
      source: 'socket',
      type: 'chat.sent',
      payload: { text: 'hello' },
      metadata: { realm: 'demo', publisher: 'backend' },
    });
    expect(typeof event.metadata.timestamp).toBe('number');
  });

  it('delivers events published with POST /api/events, answering 201 with the created event', async () => {
    const subscriber = t.client({ token: await t.token({ realm: 'demo' }) });
    subscriber.subscribe({ topic: 'order.updated' });
    await subscriber.ready();
    const received = nextEvent(subscriber, 'event');

    const response = await restPublish({ topic: 'order.updated', payload: { orderId: 7, status: 'shipped' } });
    expect(response.status).toBe(201);
    const created = (await response.json()) as RealtimeEvent;
    expect(created).toMatchObject({ topic: 'order.updated', source: 'api', type: 'api.publish', payload: { orderId: 7 } });
    expect(await received).toEqual(created);
  });

  it('applies filters on the server: equality, in, dotted paths and AND; non-matching events never arrive', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    const equality = client.subscribe({ topic: 'session.status', filter: { campusId: 12 } });
    client.subscribe({ topic: 'room.status', filter: { kind: { in: ['lab', 'hall'] } } });
    client.subscribe({ topic: 'room.booked', filter: { 'room.building': 'north', 'room.floor': 2 } });
    await client.ready();
    expect(equality).toBe('sub_1');
    const events = collect(client, 'event');

    const publish = (topic: string, payload: Record<string, unknown>) => restPublish({ topic, payload });
    await publish('session.status', { campusId: 13, n: 1 });
    await publish('session.status', { campusId: '12', n: 2 });
    await publish('session.status', { campusId: 12, n: 3 });
    await publish('room.status', { kind: 'office', n: 4 });
    await publish('room.status', { kind: 'lab', n: 5 });
    await publish('room.status', { n: 6 });
    await publish('room.booked', { room: { building: 'north', floor: 3 }, n: 7 });
    await publish('room.booked', { room: { building: 'north' }, n: 8 });
    await publish('room.booked', { room: { building: 'north', floor: 2 }, n: 9 });
    await publish('room.booked', { 'room.building': 'north', 'room.floor': 2, n: 10 });
    // Events of one topic arrive in order; a sentinel published last proves nothing else is coming.
    const sentinel = nextEvent(client, 'event', (event) => event.payload.n === 11);
    await publish('session.status', { campusId: 12, n: 11 });
    await sentinel;
    expect(events.values.map((event) => event.payload.n)).toEqual([3, 5, 9, 11]);
  });

  it('delivers an event once per connection even when several subscriptions match', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    client.subscribe({ topic: 'ticket.created' });
    client.subscribe({ topic: 'ticket.created', filter: { priority: 'high' } });
    client.subscribe({ topic: 'ticket.created', filter: { queue: { in: ['support'] } } });
    await client.ready();
    const all = collect(client, 'event');
    const byTopic = collect(client, 'event:ticket.created');

    await restPublish({ topic: 'ticket.created', payload: { priority: 'high', queue: 'support', n: 1 } });
    await restPublish({ topic: 'ticket.created', payload: { priority: 'low', n: 2 } });
    await byTopic.until(2);

    expect(all.values.map((event) => event.payload.n)).toEqual([1, 2]);
    expect(byTopic.values.map((event) => event.payload.n)).toEqual([1, 2]);
  });

  it('stops delivering after unsubscribe', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    const gone = client.subscribe({ topic: 'stock.tick', filter: { symbol: 'A' } });
    client.subscribe({ topic: 'stock.tick', filter: { symbol: 'B' } });
    await client.ready();
    const events = collect(client, 'event');

    client.unsubscribe(gone);
    await restPublish({ topic: 'stock.tick', payload: { symbol: 'A', n: 1 } });
    await restPublish({ topic: 'stock.tick', payload: { symbol: 'B', n: 2 } });
    await events.until(1);
    expect(events.values.map((event) => event.payload.n)).toEqual([2]);
  });

  it('gives events unique ids that sort in publish order within a topic', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    client.subscribe({ topic: 'metric.sample' });
    await client.ready();
    const events = collect(client, 'event:metric.sample');
    for (let n = 0; n < 50; n += 1) t.server.publish({ realm: 'demo', topic: 'metric.sample', source: 'api', type: 'sample', payload: { n } });
    await events.until(50);

    const ids = events.values.map((event) => event.id);
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
    expect(events.values.map((event) => event.payload.n)).toEqual([...Array(50).keys()]);
  });

  it('removes only the listener given to off(), and on() returns a working disposer', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    client.subscribe({ topic: 'news.flash' });
    await client.ready();
    const kept: number[] = [];
    const removed: number[] = [];
    const disposed: number[] = [];
    const removedHandler = (event: RealtimeEvent) => removed.push(event.payload.n as number);
    client.on('event:news.flash', (event) => kept.push(event.payload.n as number));
    client.on('event:news.flash', removedHandler);
    const dispose = client.on('event', (event) => disposed.push(event.payload.n as number));
    client.off('event:news.flash', removedHandler);
    dispose();

    const arrived = nextEvent(client, 'event:news.flash');
    await restPublish({ topic: 'news.flash', payload: { n: 1 } });
    await arrived;
    expect(kept).toEqual([1]);
    expect(removed).toEqual([]);
    expect(disposed).toEqual([]);
  });
});
