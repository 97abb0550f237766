import { afterEach, describe, expect, it } from 'vitest';
import { LimitExceededError, RealtimeRestClient, UnavailableError, type RealtimeRestClientOptions } from '../../client/index.js';
import type { CreateDocumentInput, DocumentTransform, GetDocumentOptions, WriteDocumentOptions, WriteResult } from '../../server/sync/document-store.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import type { SyncDocument } from '../../shared/index.js';
import { recordingFetch, type RecordingFetch } from '../support/recording-fetch.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Rate limits off everywhere except what a test turns on. */
const OFF = { perConnection: 0, perUser: 0, perRealm: 0 };
const ONLY = { publishes: OFF, messages: OFF, subscribes: OFF, writes: OFF, presence: OFF, connectionsPerUser: 0 };

/**
 * A memory store that answers `UNAVAILABLE` for the next `failReads` reads and `failWrites`
 * writes (a database briefly unreachable), and counts every call that reached it.
 */
class FlakyDocumentStore extends MemoryDocumentStore {
  failReads = 0;
  failWrites = 0;
  reads = 0;
  writes = 0;

  override async get(realm: string, service: string, id: string, options?: GetDocumentOptions): Promise<SyncDocument> {
    this.reads += 1;
    if (this.failReads > 0) {
      this.failReads -= 1;
      throw new UnavailableError('Document storage is unavailable');
    }
    return super.get(realm, service, id, options);
  }

  override async write(realm: string, service: string, id: string, transform: DocumentTransform, options?: WriteDocumentOptions): Promise<WriteResult> {
    this.writes += 1;
    if (this.failWrites > 0) {
      this.failWrites -= 1;
      throw new UnavailableError('Document storage is unavailable');
    }
    return super.write(realm, service, id, transform, options);
  }
}

/** A memory store whose creates wait at a gate the test opens: a socket write held in flight. */
class GatedCreateStore extends MemoryDocumentStore {
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

/** A memory store whose reads wait at a gate the test opens: a server that does not answer in time. */
class StalledDocumentStore extends MemoryDocumentStore {
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  override async get(realm: string, service: string, id: string, options?: GetDocumentOptions): Promise<SyncDocument> {
    await this.gate;
    return super.get(realm, service, id, options);
  }

  release(): void {
    this.open();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const t = await startTestServer(options);
  cleanups.push(() => t.close());
  return t;
}

async function recordedClient(
  t: TestServer,
  options: Partial<RealtimeRestClientOptions> = {},
): Promise<{ rest: RealtimeRestClient; recorder: RecordingFetch }> {
  const recorder = recordingFetch();
  const token = await t.token({ sub: 'backend', realm: 'retries', permissions: ['service'] });
  return { rest: new RealtimeRestClient({ url: t.url, token, fetch: recorder.fetch, ...options }), recorder };
}

describe('RealtimeRestClient retries: 429 RATE_LIMITED', () => {
  it('publishes through the rate limit: each refused publish is sent again after retryAfterMs, and published once', async () => {
    // The per-realm limit applies to backends too: 1 a second, plus a reserve of 1.
    const t = await server({ rateLimits: { ...ONLY, publishes: { ...OFF, perRealm: 1 } } });
    const { rest, recorder } = await recordedClient(t);

    const events = [];
    for (let i = 0; i < 4; i += 1) events.push(await rest.publish('metrics.tick', { i }));

    expect(events.map((event) => event.payload)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
    const statuses = recorder.requests.map((request) => request.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 201)).toHaveLength(4);
    // Every refusal was followed by the same request again.
    recorder.requests.forEach((request, index) => {
      if (request.status === 429) expect(recorder.requests[index + 1]?.body).toEqual(request.body);
    });
  });

  it('throws LimitExceededError with retryAfterMs when retries are off, or when the server asks to wait longer than maxDelayMs', async () => {
    const t = await server({ rateLimits: { ...ONLY, writes: { ...OFF, perRealm: 1 } } });
    const { rest: once } = await recordedClient(t, { retry: { attempts: 1 } });
    const { rest: impatient, recorder } = await recordedClient(t, { retry: { attempts: 5, maxDelayMs: 0 } });

    // 1 write a second plus a reserve of 1: a few writes in a row meet a refusal.
    let refusal: unknown;
    for (let i = 0; i < 10 && refusal === undefined; i += 1) {
      refusal = await once.sync.create('counters', { i }).then(
        () => undefined,
        (err: unknown) => err,
      );
    }
    expect(refusal).toBeInstanceOf(LimitExceededError);
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'writes', scope: 'realm' } });
    expect((refusal as LimitExceededError).retryAfterMs).toBeGreaterThan(0);

    // Every refusal names a wait above maxDelayMs: 0, so it is thrown after one request.
    let thrown: unknown;
    for (let i = 0; i < 10 && thrown === undefined; i += 1) {
      const before = recorder.requests.length;
      thrown = await impatient.sync.create('counters', { i }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(recorder.requests.length - before).toBe(1);
    }
    expect(thrown).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('RealtimeRestClient retries: 503 UNAVAILABLE, network failures, timeouts', () => {
  it('retries a read the server could not serve, and not a write, whose outcome is unknown', async () => {
    const documents = new FlakyDocumentStore();
    const t = await server({ documents });
    const { rest, recorder } = await recordedClient(t, { retry: { attempts: 3, maxDelayMs: 50 } });
    await rest.sync.create('notes', { title: 'Plan' }, 'flaky');

    documents.failReads = 2;
    documents.reads = 0;
    expect(await rest.sync.get('notes', 'flaky')).toMatchObject({ id: 'flaky', data: { title: 'Plan' } });
    expect(documents.reads).toBe(3);
    expect(recorder.requests.slice(-3).map((request) => request.status)).toEqual([503, 503, 200]);

    documents.failWrites = 1;
    documents.writes = 0;
    const error = await rest.sync.merge('notes', 'flaky', { done: true }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'Document storage is unavailable' });
    expect(documents.writes).toBe(1);
    expect(await rest.sync.get('notes', 'flaky')).toMatchObject({ revision: 1 });
  });

  it('gives up on a read after its attempts when the server answers nothing in time (TIMEOUT)', async () => {
    const documents = new StalledDocumentStore();
    cleanups.push(() => documents.release());
    const t = await server({ documents });
    const { rest, recorder } = await recordedClient(t, { timeoutMs: 400, retry: { attempts: 2, maxDelayMs: 20 } });

    const error = await rest.sync.get('notes', 'stalled').catch((err: unknown) => err);

    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    // Both attempts were sent and aborted without an answer.
    expect(recorder.requests.map((request) => [request.method, request.status])).toEqual([
      ['GET', undefined],
      ['GET', undefined],
    ]);
  });

  it('retries reads when the server cannot be reached, and throws UNAVAILABLE with the fetch error as cause', async () => {
    const t = await startTestServer();
    const { rest, recorder } = await recordedClient(t, { retry: { attempts: 3, maxDelayMs: 20 } });
    await t.close();

    const read = await rest.sync.list('notes').catch((err: unknown) => err);
    expect(read).toBeInstanceOf(UnavailableError);
    expect((read as UnavailableError).cause).toBeInstanceOf(Error);
    expect(recorder.requests.map((request) => request.status)).toEqual([undefined, undefined, undefined]);

    recorder.requests.length = 0;
    await expect(rest.publish('after.close', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(recorder.requests).toHaveLength(1);
  });
});

describe('RealtimeRestClient: health and readiness', () => {
  it('reads a draining node as draining (its 503 is the report, not an error) while REST calls are still served', async () => {
    const documents = new GatedCreateStore();
    cleanups.push(() => documents.release());
    const t = await server({ documents });
    const { rest, recorder } = await recordedClient(t);
    expect(await rest.health()).toEqual({ status: 'ok' });
    expect(await rest.readiness()).toMatchObject({ status: 'ready' });

    // A socket write held in flight keeps the node draining (and listening) until it is answered.
    const client = t.client({ token: await t.token({ sub: 'writer', realm: 'retries', permissions: ['service'] }) });
    await client.ready();
    const write = client.sync.create('notes', { title: 'in flight' }, 'held');
    await documents.entered;
    const closed = t.server.close({ drainTimeoutMs: 10_000 });

    recorder.requests.length = 0;
    expect(await rest.readiness()).toMatchObject({ status: 'draining' });
    await expect(rest.sync.get('notes', 'nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(recorder.requests.map((request) => request.status)).toEqual([503, 404]);

    documents.release();
    expect(await write).toMatchObject({ id: 'held', revision: 1 });
    await closed;
  });
});
