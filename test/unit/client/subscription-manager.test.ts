import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ForbiddenError, InvalidArgumentError, type SubscribeRequest } from '../../../shared/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer, type FakeRequest } from '../../support/fake-realtime-server.js';
import { createManagers, eventually, sleep, type ManagerHarness } from '../../support/client-managers.js';

let server: FakeRealtimeServer;
let harness: ManagerHarness | undefined;

beforeEach(async () => {
  server = await startFakeRealtimeServer();
});

afterEach(async () => {
  harness?.destroy();
  harness = undefined;
  await server.close();
});

function managers(options: Parameters<typeof createManagers>[1] = {}): ManagerHarness {
  harness = createManagers(server.url, options);
  return harness;
}

function subscribePayload(request: FakeRequest | undefined): SubscribeRequest {
  return request?.payload as SubscribeRequest;
}

/** Confirms every subscribe, at the position `position(request)` gives (none by default). */
function confirmSubscribes(position: (request: SubscribeRequest) => { epoch: string; offset: string } | undefined = () => undefined, recovered = true): void {
  server.handle('subscribe', (request) => {
    const payload = request.payload as SubscribeRequest;
    const at = position(payload);
    request.ok({
      subscriptionId: payload.subscriptionId,
      realm: payload.realm,
      topic: payload.topic,
      ...(at === undefined ? {} : { position: at }),
      ...(payload.since === undefined ? {} : { recovered }),
    });
  });
}

describe('SubscriptionManager against a fake server', () => {
  it('hands out ids at once, before any connection, and sends them once connected', async () => {
    const m = managers();
    confirmSubscribes();
    expect(m.subscriptions.add('demo', { topic: 'order.updated' })).toBe('sub_1');
    expect(m.subscriptions.add('demo', { topic: 'order.created', filter: { campusId: 12 } })).toBe('sub_2');
    expect(m.subscriptions.has('sub_1')).toBe(true);
    m.connection.connect();
    await server.nextRequest('subscribe', 2);
    expect(server.requestsOf('subscribe').map((r) => subscribePayload(r))).toEqual([
      { subscriptionId: 'sub_1', realm: 'demo', topic: 'order.updated' },
      { subscriptionId: 'sub_2', realm: 'demo', topic: 'order.created', filter: { campusId: 12 } },
    ]);
    await Promise.all(m.subscriptions.pending());
    expect(m.subscriptions.pending()).toEqual([]);
  });

  it('sends a subscription made while connected at once', async () => {
    const m = managers();
    confirmSubscribes();
    m.connection.connect();
    await m.until('connected');
    const id = m.subscriptions.add('demo', { topic: 'order.updated', returnMode: 'diff' });
    expect(subscribePayload(await server.nextRequest('subscribe', 1))).toEqual({
      subscriptionId: id,
      realm: 'demo',
      topic: 'order.updated',
      returnMode: 'diff',
    });
  });

  it('throws InvalidArgumentError for a bad topic or filter, without a request', async () => {
    const m = managers();
    m.connection.connect();
    await m.until('connected');
    expect(() => m.subscriptions.add('demo', { topic: 'Not A Topic' })).toThrow(InvalidArgumentError);
    expect(() => m.subscriptions.add('demo', { topic: 'order.updated', returnMode: 'all' as never })).toThrow(InvalidArgumentError);
    await sleep(30);
    expect(server.requestsOf('subscribe')).toHaveLength(0);
  });

  it('resubscribes after a reconnect from the last known position, and reports the recovery', async () => {
    const m = managers({ reconnectionDelay: 20 });
    confirmSubscribes((request) => (request.topic === 'order.updated' ? { epoch: 'e1', offset: '5-0' } : undefined), false);
    const withPosition = m.subscriptions.add('demo', { topic: 'order.updated' });
    const without = m.subscriptions.add('demo', { topic: 'order.created' });
    m.connection.connect();
    await server.nextRequest('subscribe', 2);
    await Promise.all(m.subscriptions.pending());
    // An event seen later moves the position on (RealtimeClient notes each event's position).
    m.subscriptions.positions.noteOffset('demo', 'order.updated', 'e1', '9-0');
    server.dropTransport();
    await server.nextRequest('subscribe', 4);
    const [again1, again2] = server
      .requestsOf('subscribe')
      .slice(2)
      .map((r) => subscribePayload(r));
    expect(again1).toEqual({ subscriptionId: withPosition, realm: 'demo', topic: 'order.updated', since: { epoch: 'e1', offset: '9-0' } });
    expect(again2).toEqual({ subscriptionId: without, realm: 'demo', topic: 'order.created' });
    await eventually(() => m.resubscribed.length === 1);
    expect(m.resubscribed).toEqual([{ subscriptionId: withPosition, realm: 'demo', topic: 'order.updated', recovered: false, internal: false }]);
  });

  it("tells an internal subscription's owner how each round went: recovered only when it resumed from a position and the server said so", async () => {
    const m = managers({ reconnectionDelay: 20 });
    confirmSubscribes((request) => (request.topic === 'sync.notes.updated' ? { epoch: 'e1', offset: '5-0' } : undefined));
    const outcomes: { topic: string; recovered: boolean; round: number }[] = [];
    for (const topic of ['sync.notes.updated', 'sync.notes.deleted']) {
      m.subscriptions.add('demo', { topic }, { onResubscribed: ({ recovered, round }) => outcomes.push({ topic, recovered, round }) });
    }
    m.connection.connect();
    await eventually(() => outcomes.length === 2);
    // The first connection is a round too: nothing to resume from yet.
    expect(outcomes).toEqual([
      { topic: 'sync.notes.updated', recovered: false, round: 1 },
      { topic: 'sync.notes.deleted', recovered: false, round: 1 },
    ]);
    server.dropTransport();
    await eventually(() => outcomes.length === 4);
    expect(outcomes.slice(2)).toEqual([
      { topic: 'sync.notes.updated', recovered: true, round: 2 },
      { topic: 'sync.notes.deleted', recovered: false, round: 2 },
    ]);
    // Internal resubscriptions are told apart from the user's.
    expect(m.resubscribed).toEqual([{ subscriptionId: 'sub_1', realm: 'demo', topic: 'sync.notes.updated', recovered: true, internal: true }]);
  });

  it('does not resubscribe a removed subscription, and unsubscribes it when connected', async () => {
    const m = managers({ reconnectionDelay: 20 });
    confirmSubscribes();
    server.handle('unsubscribe', (request) => request.ok(request.payload));
    const kept = m.subscriptions.add('demo', { topic: 'order.updated' });
    const removed = m.subscriptions.add('demo', { topic: 'order.created' });
    m.connection.connect();
    await server.nextRequest('subscribe', 2);
    m.subscriptions.remove(removed);
    expect(subscribePayload(await server.nextRequest('unsubscribe', 1))).toEqual({ subscriptionId: removed });
    expect(m.subscriptions.has(removed)).toBe(false);
    server.dropTransport();
    await server.nextRequest('subscribe', 3);
    await sleep(50);
    expect(
      server
        .requestsOf('subscribe')
        .slice(2)
        .map((r) => subscribePayload(r).subscriptionId),
    ).toEqual([kept]);
  });

  it('removes a refused subscription and reports the error with details.subscriptionId', async () => {
    const m = managers();
    server.handle('subscribe', (request) => request.fail({ code: ErrorCode.FORBIDDEN, message: 'no read on order.secret' }));
    m.connection.connect();
    await m.until('connected');
    const id = m.subscriptions.add('demo', { topic: 'order.secret' });
    const [pending] = m.subscriptions.pending();
    await expect(pending).rejects.toBeInstanceOf(ForbiddenError);
    expect(m.subscriptions.has(id)).toBe(false);
    expect(m.reported).toHaveLength(1);
    expect(m.reported[0]).toBeInstanceOf(ForbiddenError);
    expect(m.reported[0]?.details).toMatchObject({ subscriptionId: id });
  });

  it('keeps a subscription whose subscribe was lost with the connection, and sends it on reconnect', async () => {
    const m = managers({ reconnectionDelay: 20 });
    m.connection.connect();
    await m.until('connected');
    const id = m.subscriptions.add('demo', { topic: 'order.updated' });
    await server.nextRequest('subscribe', 1); // held
    confirmSubscribes();
    server.dropTransport();
    await server.nextRequest('subscribe', 2);
    expect(m.subscriptions.has(id)).toBe(true);
    expect(m.reported).toEqual([]);
    expect(subscribePayload(server.requestsOf('subscribe')[1]).subscriptionId).toBe(id);
  });

  it('re-sends a RATE_LIMITED subscribe after retryAfterMs, and pending() waits for it', async () => {
    const m = managers();
    let refusals = 0;
    server.handle('subscribe', (request) => {
      const payload = request.payload as SubscribeRequest;
      if (refusals++ === 0) {
        request.fail({ code: ErrorCode.RATE_LIMITED, message: 'slow down', details: { retryAfterMs: 100 } });
        return;
      }
      request.ok({ subscriptionId: payload.subscriptionId, realm: payload.realm, topic: payload.topic });
    });
    m.connection.connect();
    await m.until('connected');
    const id = m.subscriptions.add('demo', { topic: 'order.updated' });
    const [pending] = m.subscriptions.pending();
    await expect(pending).resolves.toBeUndefined();
    const [first, second] = server.requestsOf('subscribe');
    expect(second).toBeDefined();
    const gap = second!.at - first!.at;
    expect(gap).toBeGreaterThanOrEqual(100 - 2);
    expect(gap).toBeLessThan(120 + 80); // 100 + up to 20% jitter, plus scheduling slack
    expect(subscribePayload(second).subscriptionId).toBe(id);
    expect(m.subscriptions.has(id)).toBe(true);
    expect(m.reported).toEqual([]);
  });

  it('does not re-send a RATE_LIMITED subscribe that was removed meanwhile', async () => {
    const m = managers();
    server.handle('subscribe', (request) => request.fail({ code: ErrorCode.RATE_LIMITED, message: 'slow down', details: { retryAfterMs: 60 } }));
    server.handle('unsubscribe', (request) => request.ok(request.payload));
    m.connection.connect();
    await m.until('connected');
    const id = m.subscriptions.add('demo', { topic: 'order.updated' });
    await server.nextRequest('subscribe', 1);
    await sleep(10);
    m.subscriptions.remove(id);
    await sleep(150);
    expect(server.requestsOf('subscribe')).toHaveLength(1);
  });

  it('drops a subscription the server revokes and reports it with details.subscriptionId', async () => {
    const m = managers();
    confirmSubscribes();
    m.connection.connect();
    const id = m.subscriptions.add('demo', { topic: 'order.updated' });
    await server.nextRequest('subscribe', 1);
    server.emit('subscription:revoked', { subscriptionId: id, error: { code: ErrorCode.FORBIDDEN, message: 'token narrowed' } });
    await eventually(() => m.reported.length === 1);
    expect(m.subscriptions.has(id)).toBe(false);
    expect(m.reported[0]).toBeInstanceOf(ForbiddenError);
    expect(m.reported[0]?.details).toMatchObject({ subscriptionId: id });
  });
});
