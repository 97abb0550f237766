import { describe, expect, it } from 'vitest';
import {
  InternalError,
  InvalidArgumentError,
  RealtimeRestClient,
  UnavailableError,
  type ClientWarning,
  type FetchFunction,
  type RealtimeRestClientOptions,
} from '../../../../client/index.js';

/** What a scripted fetch saw: one entry per attempt. */
interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

/** A `fetch` that answers from a script, in order, and records each request with its time. */
function scriptedFetch(...answers: (() => Response | Promise<Response>)[]): { fetch: FetchFunction; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: FetchFunction = async (url, init) => {
    seen.push({
      url,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      at: Date.now(),
    });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no answer scripted');
    return answer();
  };
  return { fetch, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const event = { id: 'e1', topic: 'a.b', source: 'api', type: 'api.publish', payload: {}, metadata: { timestamp: 1, realm: 'demo' } };
const base = { url: 'http://rt.test', token: 'header.payload.signature' };

describe('RealtimeRestClient options', () => {
  it('refuses what cannot work, naming the option', () => {
    const bad: [Partial<RealtimeRestClientOptions>, RegExp][] = [
      [{ url: 'rt.test' }, /url must be an absolute http\(s\) URL/],
      [{ url: 'ws://rt.test' }, /url must be/],
      [{ token: undefined }, /needs a token or a getToken/],
      [{ getToken: () => 't' }, /token or getToken, not both/],
      [{ token: '' }, /token must be a non-empty/],
      [{ realm: 'no spaces' }, /realm must be/],
      [{ retry: { attempts: 0 } }, /retry.attempts must be a whole number of at least 1/],
      [{ retry: { attempts: 1.5 } }, /retry.attempts/],
      [{ retry: { maxDelayMs: -1 } }, /retry.maxDelayMs must be a non-negative number/],
      [{ timeoutMs: 0 }, /timeoutMs must be positive/],
      [{ timeoutMs: Infinity }, /timeoutMs must be a non-negative number/],
    ];
    for (const [options, message] of bad) {
      expect(() => new RealtimeRestClient({ ...base, ...options } as RealtimeRestClientOptions)).toThrow(InvalidArgumentError);
      expect(() => new RealtimeRestClient({ ...base, ...options } as RealtimeRestClientOptions)).toThrow(message);
    }
    expect(() => new RealtimeRestClient({ ...base }).realm('a b')).toThrow(InvalidArgumentError);
    expect(() => new RealtimeRestClient({ ...base }).setToken('')).toThrow(InvalidArgumentError);
  });

  it('warns about an unknown option, with the name it probably meant', () => {
    const warnings: ClientWarning[] = [];
    new RealtimeRestClient({ ...base, timeoutMS: 5, onWarning: (warning) => warnings.push(warning) } as RealtimeRestClientOptions);
    expect(warnings).toEqual([
      {
        code: 'UNKNOWN_OPTION',
        option: 'timeoutMS',
        suggestion: 'timeoutMs',
        message: 'Unknown RealtimeRestClient option "timeoutMS" (ignored); did you mean "timeoutMs"?',
      },
    ]);
  });
});

describe('RealtimeRestClient requests', () => {
  it('sends the bearer token, X-Realm and a JSON body below the base URL path, and answers the JSON', async () => {
    const { fetch, seen } = scriptedFetch(json(201, event));
    const rest = new RealtimeRestClient({ ...base, url: 'http://rt.test/prefix/', realm: 'demo', fetch });

    expect(await rest.publish('a.b', { n: 1 }, { type: 'x.y' })).toEqual(event);

    expect(seen).toEqual([
      {
        url: 'http://rt.test/prefix/api/events',
        method: 'POST',
        headers: { accept: 'application/json', authorization: 'Bearer header.payload.signature', 'x-realm': 'demo', 'content-type': 'application/json' },
        body: { topic: 'a.b', payload: { n: 1 }, type: 'x.y' },
        at: expect.any(Number),
      },
    ]);
  });

  it('encodes path segments and query parameters, and leaves absent ones out', async () => {
    const { fetch, seen } = scriptedFetch(json(200, { id: 'riders/7', connectionStatus: 'connected', providerCount: 1 }), json(200, { items: [] }));
    const rest = new RealtimeRestClient({ ...base, fetch });
    await rest.presence.status('riders/7');
    await rest.sync.list('notes', { after: 'a.b' });
    expect(seen.map((request) => request.url)).toEqual(['http://rt.test/api/presence/objects/riders%2F7', 'http://rt.test/api/sync/notes/documents?after=a.b']);
    expect(seen[0]?.headers).not.toHaveProperty('x-realm');
  });

  it('waits at least the retryAfterMs of a 429 before sending the request again', async () => {
    const { fetch, seen } = scriptedFetch(
      json(429, { error: 'LimitExceededError', code: 'RATE_LIMITED', message: 'Slow down', details: { retryAfterMs: 60 } }),
      json(201, event),
    );
    const answeredAt: number[] = [];
    const timed: FetchFunction = async (url, init) => {
      const response = await fetch(url, init);
      answeredAt.push(Date.now());
      return response;
    };
    const rest = new RealtimeRestClient({ ...base, fetch: timed });

    expect(await rest.publish('a.b', {})).toEqual(event);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - answeredAt[0]!).toBeGreaterThanOrEqual(59);
    expect(seen[1]!.body).toEqual(seen[0]!.body);
  });

  it('asks getToken for every attempt, and setToken replaces it', async () => {
    const { fetch, seen } = scriptedFetch(
      json(429, { code: 'RATE_LIMITED', message: 'Slow down', details: { retryAfterMs: 1 } }),
      json(201, event),
      json(201, event),
    );
    let calls = 0;
    const rest = new RealtimeRestClient({ url: base.url, getToken: async () => `token.number.${(calls += 1)}`, fetch });
    await rest.publish('a.b', {});
    rest.setToken('fixed.token.value');
    await rest.publish('a.b', {});
    expect(seen.map((request) => request.headers.authorization)).toEqual(['Bearer token.number.1', 'Bearer token.number.2', 'Bearer fixed.token.value']);
  });

  it('answers undefined for 204, and InternalError for a 2xx that is not JSON', async () => {
    const { fetch } = scriptedFetch(
      () => new Response(null, { status: 204 }),
      () => new Response('<html>ok</html>', { status: 200 }),
    );
    const rest = new RealtimeRestClient({ ...base, fetch });
    expect(await rest.webhooks.delete('wh_1')).toBeUndefined();
    await expect(rest.webhooks.list()).rejects.toBeInstanceOf(InternalError);
  });

  it('refuses a body that cannot be JSON, sending nothing', async () => {
    const { fetch, seen } = scriptedFetch();
    const rest = new RealtimeRestClient({ ...base, fetch });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(rest.publish('a.b', cyclic)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(rest.channels.broadcast('lobby', 'message', { n: 1n })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  it('aborts an attempt after timeoutMs and fails with TIMEOUT; a write is not sent again', async () => {
    const seen: string[] = [];
    const hanging: FetchFunction = (_url, init) =>
      new Promise((_resolve, reject) => {
        seen.push(init.method ?? 'GET');
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const rest = new RealtimeRestClient({ ...base, fetch: hanging, timeoutMs: 20, retry: { attempts: 3, maxDelayMs: 1 } });

    const error = await rest.publish('a.b', {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'No answer to POST /api/events within 20 ms' });
    expect(seen).toEqual(['POST']);

    await expect(rest.sync.get('notes', 'n1')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(seen).toEqual(['POST', 'GET', 'GET', 'GET']);
  });
});
