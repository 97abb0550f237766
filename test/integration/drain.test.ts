import { connect } from 'node:net';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError, type RealtimeClient } from '../../client/index.js';
import type { CreateDocumentInput } from '../../server/sync/document-store.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import type { SyncDocument } from '../../shared/index.js';
import { startBalancer, type TcpBalancer } from '../support/tcp-balancer.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { restApi } from '../support/webhook-api.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';
import { collect, nextEvent, stateReached } from '../support/wait.js';

/**
 * `close({ drainTimeoutMs })`, what SIGTERM runs: a node going away refuses new connections,
 * answers what is in flight, then tells its clients to reconnect, which they do, to another node.
 */

/** A memory store whose creates wait at a gate the test opens: a write held in flight. */
class GatedDocumentStore extends MemoryDocumentStore {
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  private arrived!: () => void;
  /** Resolves once a create is waiting at the gate. */
  readonly entered = new Promise<void>((resolve) => (this.arrived = resolve));

  override async create(realm: string, service: string, input: CreateDocumentInput): Promise<SyncDocument> {
    this.arrived();
    await this.gate;
    return super.create(realm, service, input);
  }

  release(): void {
    this.open();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Node A (with `documents`) and node B behind a balancer pointing at A; a client through it. */
async function twoNodes(
  documents: MemoryDocumentStore,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<{ a: TestServer; b: TestServer; lb: TcpBalancer; client: RealtimeClient }> {
  const a = await startTestServer({ documents });
  cleanups.push(() => a.close());
  const b = await startTestServer({ auth: { secret: a.secret } });
  cleanups.push(() => b.close());
  const lb = await startBalancer(a.server.address().port);
  cleanups.push(() => lb.close());
  const client = a.client({ url: lb.url, transports, token: await a.token({ sub: 'roamer', realm: 'demo', permissions: ['service'] }) });
  client.subscribe({ topic: 'after.drain' });
  await client.ready();
  return { a, b, lb, client };
}

/** A bare Socket.IO handshake; rejects with the refusal. */
function handshake(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    socket.once('connect', () => {
      socket.disconnect();
      resolve();
    });
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('draining a node', () => {
  for (const transports of [['websocket'], ['polling']] as const) {
    it(`answers a sync write in flight, then the client (${transports[0]}) reconnects to another node and carries on`, async () => {
      const documents = new GatedDocumentStore();
      cleanups.push(() => documents.release());
      const { a, b, lb, client } = await twoNodes(documents, [...transports]);
      const changes = collect(client, 'connection');
      const resubscribed = nextEvent(client, 'resubscribed');

      const write = client.sync.create('notes', { title: 'in flight' }, 'n1');
      await documents.entered;
      const portOfA = a.server.address().port;
      const closed = a.server.close({ drainTimeoutMs: 10_000 });

      // The door is shut at once: no new connection, and balancers' health checks see it going.
      await expect(handshake(a.url, await a.token({ sub: 'newcomer', realm: 'demo' }))).rejects.toThrow(/shutting down|websocket error/);
      const ready = await fetch(`${a.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'draining' });
      // The connection with a request in flight stays until it is answered.
      expect(client.state).toBe('connected');
      documents.release();

      // Answered, not cut off: the acknowledgement went out before the disconnect.
      expect(await write).toMatchObject({ id: 'n1', revision: 1, data: { title: 'in flight' } });
      await stateReached(client, 'reconnecting');
      expect(changes.values.find((change) => change.state === 'reconnecting')?.reason).toBe('io server disconnect');
      // Node A stops listening once its clients are gone; the balancer then fails over to node B.
      await closed;
      expect(await accepts(portOfA)).toBe(false);
      lb.target(b.server.address().port);
      await stateReached(client, 'connected');

      // Now on node B, resubscribed: events published there arrive.
      expect(await resubscribed).toMatchObject({ topic: 'after.drain' });
      const event = nextEvent(client, 'event:after.drain');
      await b.server.publish({ realm: 'demo', topic: 'after.drain', source: 'api', type: 'test', payload: { on: 'b' } });
      expect((await event).payload).toEqual({ on: 'b' });
    });
  }

  it('answers a REST write in flight, on a connection it then closes', async () => {
    const documents = new GatedDocumentStore();
    cleanups.push(() => documents.release());
    const { a } = await twoNodes(documents);
    const token = await a.token({ sub: 'backend', realm: 'demo', permissions: ['service'] });
    const response = fetch(`${a.url}/api/sync/notes/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: 'rest-1', data: { via: 'rest' } }),
    });
    await documents.entered;
    const closed = a.server.close({ drainTimeoutMs: 10_000 });
    documents.release();
    const answered = await response;
    expect(answered.status).toBe(201);
    expect(answered.headers.get('connection')).toBe('close');
    expect(await answered.json()).toMatchObject({ id: 'rest-1', revision: 1 });
    await closed;
  });

  it('stops at the drain timeout even if a request never finishes; the client still moves on', async () => {
    const documents = new GatedDocumentStore();
    cleanups.push(() => documents.release());
    const { b, a, lb, client } = await twoNodes(documents);
    const write = client.sync.create('notes', { title: 'stuck' }, 'n2');
    const failed = write.then(
      () => undefined,
      (err: unknown) => err,
    );
    await documents.entered;
    lb.target(b.server.address().port);
    await a.server.close({ drainTimeoutMs: 200 });
    // Cut off in flight: the client cannot know whether it was applied, and says so.
    expect(await failed).toBeInstanceOf(UnavailableError);
    await stateReached(client, 'connected');
    expect((await client.sync.create('notes', { title: 'on b' }, 'n3')).revision).toBe(1);
  });

  it('does not wait for a request it answered as an unknown event: the connection leaves at once', async () => {
    const a = await startTestServer();
    cleanups.push(() => a.close());
    const socket = await a.rawSocket(await a.token({ sub: 'typo', realm: 'demo' }));
    const answer = await socket.timeout(2000).emitWithAck('topic:pubish' as never, { topic: 'x' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', details: { event: 'topic:pubish' } } });
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    const started = Date.now();
    await a.server.close({ drainTimeoutMs: 10_000 });
    await disconnected;
    // Tracked as in flight, it would have held the drain to its 10 s deadline.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('lets a webhook attempt in flight finish within the drain time, beyond the 2 s grace of a plain close', async () => {
    const sink: WebhookSink = await startWebhookSink();
    cleanups.push(() => sink.close());
    const a = await startTestServer({ webhooks: { allowPrivateNetworks: true, requestTimeoutMs: 60_000 } });
    cleanups.push(() => a.close());
    const api = restApi(a, await a.token({ sub: 'admin', realm: 'demo', permissions: ['admin'] }));
    expect((await api('POST', '/webhooks', { url: `${sink.url}/slow`, events: ['event.published'] })).status).toBe(201);

    const order: string[] = [];
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    let answer!: (status: number) => void;
    sink.respond(() => {
      arrived();
      return new Promise<number>((resolve) => (answer = resolve));
    });
    await a.server.publish({ realm: 'demo', topic: 'orders', source: 'api', type: 'order.created', payload: { n: 1 } });
    await arrival;
    const closed = a.server.close({ drainTimeoutMs: 10_000 }).then(() => order.push('closed'));
    // Longer than the 2 s a plain close grants attempts in flight.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    order.push('answered');
    answer(200);
    await closed;
    expect(order).toEqual(['answered', 'closed']);
    expect(sink.on('/slow').map((request) => request.status)).toEqual([200]);
  });
});
