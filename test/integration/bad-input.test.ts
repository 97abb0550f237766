import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult, ErrorShape } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';

let t: TestServer;
let raw: Socket;
let serviceToken: string;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPayloadBytes: 1024, maxSubscriptionsPerConnection: 3 } });
  serviceToken = await t.token({ sub: 'svc', realm: 'demo', permissions: ['service'] });
  raw = await t.rawSocket(serviceToken);
});
afterAll(() => t.close());

function request(event: string, ...args: unknown[]): Promise<AckResult<unknown>> {
  return raw.timeout(5000).emitWithAck(event, ...args) as Promise<AckResult<unknown>>;
}

async function expectError(result: Promise<AckResult<unknown>>, code: string, message?: RegExp): Promise<ErrorShape> {
  const answer = await result;
  expect(answer.ok).toBe(false);
  if (answer.ok) throw new Error('unreachable');
  expect(answer.error.code).toBe(code);
  if (message !== undefined) expect(answer.error.message).toMatch(message);
  return answer.error;
}

describe('malformed socket input', () => {
  it.each([
    ['a string payload', 'not an object'],
    ['null', null],
    ['an array', [1, 2]],
    ['a missing topic', { filter: {} }],
    ['a numeric topic', { topic: 42 }],
    ['an uppercase topic', { topic: 'Order.Updated' }],
    ['an empty segment', { topic: 'order..updated' }],
    ['a filter that is an array', { topic: 'a.b', filter: [1] }],
    ['a filter value that is an object', { topic: 'a.b', filter: { a: { gt: 3 } } }],
    ['an empty in list', { topic: 'a.b', filter: { a: { in: [] } } }],
    ['an unknown returnMode', { topic: 'a.b', returnMode: 'partial' }],
    ['an unknown field', { topic: 'a.b', extra: true }],
  ])('answers subscribe with %s with INVALID_ARGUMENT', async (_label, payload) => {
    const error = await expectError(request('subscribe', payload), 'INVALID_ARGUMENT');
    expect(error.details).toMatchObject({ issues: expect.any(Array) });
  });

  it('names the problem in the message', async () => {
    await expectError(request('subscribe', { topic: 'Bad Topic' }), 'INVALID_ARGUMENT', /topic must be dot-separated lowercase/);
  });

  it('answers unknown events with INVALID_ARGUMENT, on the ack or as protocol:error', async () => {
    await expectError(request('record:explode', { x: 1 }), 'INVALID_ARGUMENT', /Unknown event "record:explode"/);
    const notice = new Promise<ErrorShape>((resolve) => raw.once('protocol:error', resolve));
    raw.emit('nonsense');
    expect(await notice).toMatchObject({ code: 'INVALID_ARGUMENT', details: { event: 'nonsense' } });
  });

  it('reports errors of requests sent without an ack as protocol:error', async () => {
    const notice = new Promise<ErrorShape>((resolve) => raw.once('protocol:error', resolve));
    raw.emit('subscribe', { topic: 'NOPE' });
    expect(await notice).toMatchObject({ code: 'INVALID_ARGUMENT', details: { event: 'subscribe' } });
  });

  it('answers an oversized publish with PAYLOAD_TOO_LARGE', async () => {
    const error = await expectError(request('topic:publish', { topic: 'big.payload', payload: { blob: 'x'.repeat(2000) } }), 'PAYLOAD_TOO_LARGE');
    expect(error.details).toMatchObject({ limit: 1024 });
  });

  it('answers a publish whose payload is not an object with INVALID_ARGUMENT', async () => {
    await expectError(request('topic:publish', { topic: 'a.b', payload: 'text' }), 'INVALID_ARGUMENT', /payload/);
    await expectError(request('topic:publish', { topic: 'a.b', payload: [1] }), 'INVALID_ARGUMENT', /payload/);
  });

  it('caps subscriptions per connection with LIMIT_EXCEEDED, while re-subscribing an id is allowed', async () => {
    const socket = await t.rawSocket(serviceToken);
    const subscribe = (id: string) => socket.timeout(5000).emitWithAck('subscribe', { subscriptionId: id, topic: 'cap.topic' }) as Promise<AckResult<unknown>>;
    for (const id of ['s1', 's2', 's3']) expect((await subscribe(id)).ok).toBe(true);
    expect((await subscribe('s2')).ok).toBe(true);
    await expectError(subscribe('s4'), 'LIMIT_EXCEEDED');
    socket.disconnect();
  });

  it('keeps the connection working after all of the above, and other clients unaffected', async () => {
    expect(raw.connected).toBe(true);
    const answer = await request('subscribe', { subscriptionId: 'after', topic: 'still.works' });
    expect(answer).toEqual({
      ok: true,
      data: { subscriptionId: 'after', realm: 'demo', topic: 'still.works', position: { epoch: expect.any(String), offset: '0-0' } },
    });
    const received = new Promise((resolve) => raw.once('event', resolve));
    const other = t.client({ token: serviceToken });
    await other.publish('still.works', { n: 1 });
    expect(await received).toMatchObject({ topic: 'still.works', payload: { n: 1 } });
    expect(other.connected).toBe(true);
  });

  it('rejects bad subscribe options in the client before anything is sent', () => {
    const client = t.client({ token: serviceToken, autoConnect: false });
    expect(() => client.subscribe({ topic: 'Not Valid' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => client.subscribe({ topic: 'ok.topic', returnMode: 'some' as 'full' })).toThrow(/returnMode/);
  });

  it('delivers server-side subscribe refusals to the client as typed errors (a bad filter throws in subscribe())', async () => {
    const client = t.client({ token: serviceToken });
    expect(() => client.subscribe({ topic: 'ok.topic', filter: { a: { gt: 1 } as unknown as number } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    // The server allows 3 subscriptions per connection here: something only it can refuse.
    for (const topic of ['ok.one', 'ok.two', 'ok.three', 'ok.four']) client.subscribe({ topic });
    const error = await nextEvent(client, 'error');
    expect(error).toMatchObject({ name: 'LimitExceededError', code: 'LIMIT_EXCEEDED', details: { subscriptionId: expect.stringMatching(/^sub_[1-4]$/) } });
  });
});

describe('malformed REST input', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}`, ...headers },
      body,
    });

  it('answers invalid JSON with 400 INVALID_ARGUMENT', async () => {
    const response = await post('{"topic": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'InvalidArgumentError', code: 'INVALID_ARGUMENT' });
  });

  it('answers wrong types with 400 and the list of issues', async () => {
    const response = await post(JSON.stringify({ topic: 5, payload: 'x' }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { details: { issues: { path: string }[] } };
    expect(body.details.issues.map((issue) => issue.path).sort()).toEqual(['payload', 'topic']);
  });

  it('answers an oversized payload with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await post(JSON.stringify({ topic: 'a.b', payload: { blob: 'x'.repeat(1500) } }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const huge = await post(JSON.stringify({ topic: 'a.b', payload: { blob: 'x'.repeat(100_000) } }));
    expect(huge.status).toBe(413);
  });

  it('answers unknown routes with 404 NOT_FOUND', async () => {
    const response = await fetch(`${t.url}/api/nothing-here`, { headers: { authorization: `Bearer ${serviceToken}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('still serves health checks without auth', async () => {
    const response = await fetch(`${t.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
