import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult } from '../../shared/index.js';
import { FILTER_CONDITIONS_HELP, InvalidArgumentError } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

// Patterns that made the former backtracking matcher exponential: on the old code the server's
// event loop never came back from matching them, so these tests could not finish. They assert
// only what is delivered and answered.
const EVIL_LIKE = '***********!';
const LONG_ID = 'a'.repeat(10_000);

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxFilterCostPerConnection: 50 } });
});
afterAll(() => t.close());

function request(socket: Socket, event: string, payload: unknown): Promise<AckResult<unknown>> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<AckResult<unknown>>;
}

describe('id patterns from tenants', () => {
  it('matches an exponential-looking like filter at once, and other realms keep receiving', async () => {
    const london = t.client({ token: await t.token({ sub: 'mallory', realm: 'london' }) });
    const paris = t.client({ token: await t.token({ sub: 'pierre', realm: 'paris' }) });
    london.subscribe({ topic: 'fleet.moved', filter: { id: { like: EVIL_LIKE } } });
    paris.subscribe({ topic: 'fleet.moved' });
    await Promise.all([london.ready(), paris.ready()]);
    const seenInLondon = collect(london, 'event');
    const londonService = t.client({ token: await t.token({ sub: 'svc', realm: 'london', permissions: ['service'] }) });
    const parisService = t.client({ token: await t.token({ sub: 'svc', realm: 'paris', permissions: ['service'] }) });

    await londonService.publish('fleet.moved', { id: LONG_ID });
    const inParis = nextEvent(paris, 'event');
    await parisService.publish('fleet.moved', { id: 'p1' });
    expect((await inParis).payload).toEqual({ id: 'p1' });

    // The filter still matches what it should, and only that.
    await londonService.publish('fleet.moved', { id: `${LONG_ID}!` });
    await seenInLondon.until(1);
    expect(seenInLondon.values.map((event) => (event.payload.id as string).length)).toEqual([LONG_ID.length + 1]);
  });

  it('checks a per grant with an exponential-looking pattern at once', async () => {
    const token = await t.token({ sub: 'rider', realm: 'london', per: { london: { [`topic/${'*'.repeat(30)}!`]: 'C' } } });
    const client = t.client({ token });
    await client.ready();
    await expect(client.publish('a'.repeat(190), { n: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(client.connected).toBe(true);
  });
});

describe('unsupported filter shapes', () => {
  it('throw InvalidArgumentError in subscribe(), saying what is allowed, before any id is handed out', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }), autoConnect: false });
    const attempt = (filter: unknown) => () => client.subscribe({ topic: 'campus.news', filter: filter as Record<string, number> });
    expect(attempt({ campusId: [12, 15] })).toThrow(InvalidArgumentError);
    expect(attempt({ campusId: [12, 15] })).toThrow(
      `Invalid subscribe request: filter.campusId: ${FILTER_CONDITIONS_HELP}; an array is not a value: did you mean { in: [12, 15] }?`,
    );
    expect(attempt({ x: { gt: 1 } })).toThrow(/filter\.x: .*"gt" is not an operator \(there are no comparisons\)/);
    let caught: unknown;
    try {
      attempt({ x: { gt: 1 } })();
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { issues: [{ path: 'filter.x', message: expect.stringContaining(FILTER_CONDITIONS_HELP) }] },
    });
    expect(client.subscribe({ topic: 'campus.news', filter: { campusId: { in: [12, 15] } } })).toBe('sub_1');
  });

  it('a mistyped option throws instead of subscribing to every event unfiltered', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }), autoConnect: false });
    const mistyped = { topic: 'campus.news', fliter: { campusId: 12 } } as unknown as { topic: string };
    expect(() => client.subscribe(mistyped)).toThrow('Unknown subscribe() option "fliter"; did you mean "filter"?');
    expect(() => client.subscribe(mistyped)).toThrow(InvalidArgumentError);
    expect(client.subscribe({ topic: 'campus.news', filter: { campusId: 12 } })).toBe('sub_1');
  });

  it('are refused by the server with the same message, not "Invalid input"', async () => {
    const socket = await t.rawSocket(await t.token({ realm: 'demo' }));
    const answer = await request(socket, 'subscribe', { topic: 'campus.news', filter: { campusId: [12, 15] } });
    expect(answer).toEqual({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: `Invalid subscribe request: filter.campusId: ${FILTER_CONDITIONS_HELP}; an array is not a value: did you mean { in: [12, 15] }?`,
        details: { issues: [{ path: 'filter.campusId', message: expect.stringContaining('did you mean { in: [12, 15] }?') }] },
      },
    });
    const gt = await request(socket, 'subscribe', { topic: 'campus.news', filter: { x: { gt: 1 } } });
    expect(gt).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^Invalid subscribe request: filter\.x: .*"gt" is not an operator/) },
    });
    expect((await request(socket, 'subscribe', { topic: 'campus.news', filter: { campusId: { in: [12, 15] } } })).ok).toBe(true);
  });
});

describe('the filter cost of one connection', () => {
  it('is capped by maxFilterCostPerConnection with LIMIT_EXCEEDED; replacing or dropping a subscription frees its share', async () => {
    const socket = await t.rawSocket(await t.token({ realm: 'demo' }));
    const subscribe = (subscriptionId: string, filter?: unknown) =>
      request(socket, 'subscribe', { subscriptionId, topic: 'cost.topic', ...(filter === undefined ? {} : { filter }) });
    // 1 key + 39 characters = 40 of the 50 allowed.
    expect((await subscribe('a', { id: { like: `${'x'.repeat(38)}*` } })).ok).toBe(true);
    expect(await subscribe('b', { n: { in: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } })).toEqual({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: expect.stringContaining('at most 50'), details: { limit: 50, cost: 11, used: 40 } },
    });
    expect((await subscribe('b', { n: { in: [1, 2, 3, 4, 5, 6, 7, 8, 9] } })).ok).toBe(true);
    expect((await subscribe('c')).ok).toBe(true);
    expect((await subscribe('a', { n: 1 })).ok).toBe(true);
    expect((await request(socket, 'unsubscribe', { subscriptionId: 'b' })).ok).toBe(true);
    expect((await subscribe('d', { id: { like: 'x'.repeat(48) } })).ok).toBe(true);
    expect(socket.connected).toBe(true);
  });

  it('reaches the client as a typed error on the subscription', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    client.subscribe({ topic: 'cost.topic', filter: { id: { like: 'y'.repeat(45) } } });
    await client.ready();
    const refused = client.subscribe({ topic: 'cost.topic', filter: { id: { like: 'z'.repeat(10) } } });
    const error = await nextEvent(client, 'error');
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { subscriptionId: refused, limit: 50, cost: 11, used: 46 } });
  });
});
