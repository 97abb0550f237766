import { describe, expect, it } from 'vitest';
import HivekitClient from '../../../client/hivekit/index.js';

interface Call {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** A fetch that records each call and answers from `answer` (200 with its JSON, or the status and body it gives). */
function recordingFetch(answer: (call: Call) => { status?: number; body: unknown }) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: URL | string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call: Call = {
      method: init?.method ?? 'GET',
      url: String(input),
      authorization: headers.authorization,
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    };
    calls.push(call);
    const { status = 200, body } = answer(call);
    return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const REALM = { id: 'london', label: 'London', data: { tz: 'Europe/London' }, createdAt: 1, updatedAt: 1 };

describe('HivekitClient.useHTTP: every call over the REST API with the Bearer token', () => {
  it('maps realm, object, area, history, search and publish calls to their routes', async () => {
    const { calls, fetchImpl } = recordingFetch((call) => {
      if (call.url.endsWith('/api/realms/london') && call.method === 'GET') return { body: REALM };
      if (call.url.includes('/objects/query')) return { body: { objects: { 'riders/7': { id: 'riders/7' } } } };
      if (call.url.includes('/history/')) return { body: { entries: [] } };
      if (call.url.includes('/search')) return { body: { results: [] } };
      return { body: {} };
    });
    const client = new HivekitClient({ logErrors: false }, { fetch: fetchImpl });
    await client.useHTTP('http://localhost:3000');
    expect(client.mode).toBe('http');
    await client.authenticate('tok');
    expect(client.connectionStatus).toBe('authenticated');
    const realm = await client.realm.get('london');
    expect(realm.id).toBe('london');
    expect(realm.label).toBe('London');
    await realm.object.create('riders/7', { label: 'Ada', location: { latitude: '51.5', longitude: -0.12 } });
    await realm.object.set('riders/7', { data: { charge: 0.5 } });
    expect(await realm.object.list({ attribute: 'type="bike"', field: 'charge' })).toEqual({ 'riders/7': { id: 'riders/7' } });
    await realm.area.create('zone-1', { shape: { cx: 0, cy: 0, r: 10 } });
    await realm.history.get('riders/7', { startTime: new Date(1000), endTime: new Date(2000) });
    await realm.search('ada', { field: ['label'] });
    await realm.pubsub.publish('alert', 'riders/7', { text: 'hi' });
    await client.realm.delete('london');
    expect(calls.map((call) => [call.method, call.url.replace('http://localhost:3000', ''), call.body])).toEqual([
      ['GET', '/api/realms/london', undefined],
      ['POST', '/api/realms/london/objects/riders%2F7', { label: 'Ada', location: { latitude: 51.5, longitude: -0.12 } }],
      ['PUT', '/api/realms/london/objects/riders%2F7', { data: { charge: 0.5 } }],
      ['POST', '/api/realms/london/objects/query', { where: ['type="bike"'], field: ['charge'] }],
      ['POST', '/api/realms/london/areas/zone-1', { shape: { cx: 0, cy: 0, r: 10 } }],
      ['GET', '/api/realms/london/history/riders%2F7?start=1000&end=2000', undefined],
      ['GET', '/api/realms/london/search?query=ada&fields=label', undefined],
      ['POST', '/api/realms/london/pubsub/alert', { id: 'riders/7', data: { text: 'hi' } }],
      ['DELETE', '/api/realms/london', undefined],
    ]);
    expect(new Set(calls.map((call) => call.authorization))).toEqual(new Set(['Bearer tok']));
  });

  it('logMessages logs every call and its outcome through the logger', async () => {
    const { fetchImpl } = recordingFetch(() => ({ status: 403, body: { error: 'ForbiddenError', code: 'FORBIDDEN', message: 'no U' } }));
    const lines: unknown[][] = [];
    const logger = { log: (...values: unknown[]) => void lines.push(values), error: () => undefined };
    const client = new HivekitClient({ logMessages: true }, { fetch: fetchImpl, logger });
    const heard: unknown[] = [];
    client.on('error', (message: string, type: string) => void heard.push([message, type]));
    await client.useHTTP('http://localhost:3000');
    await client.authenticate('tok');
    await expect(client.realm.get('london')).rejects.toEqual({ message: 'no U', code: 403 });
    expect(lines).toContainEqual(['[hivekit] →', 'realm.get', 'london']);
    expect(lines).toContainEqual(['[hivekit] ✗', 'realm.get', { message: 'no U', code: 403 }]);
    expect(heard).toEqual([]); // a rejected request rejects; it is not an 'error' event
    const quiet = new HivekitClient({}, { fetch: fetchImpl, logger });
    await quiet.useHTTP('http://localhost:3000');
    await quiet.authenticate('tok');
    await expect(quiet.realm.get('london')).rejects.toMatchObject({ code: 403 });
    expect(lines.filter((line) => line[0] === '[hivekit] →')).toHaveLength(1);
  });

  it('rejects with { message, code } from the error body, and refuses subscriptions', async () => {
    const { calls, fetchImpl } = recordingFetch(() => ({ status: 404, body: { error: 'NotFoundError', code: 'NOT_FOUND', message: 'unknown realm nope' } }));
    const client = new HivekitClient({ logErrors: false }, { fetch: fetchImpl });
    await client.useHTTP('https://api.example.com/api/v1/ws');
    await client.authenticate('tok');
    await expect(client.realm.get('nope')).rejects.toEqual({ message: 'unknown realm nope', code: 404 });
    expect(calls[0]?.url).toBe('https://api.example.com/api/realms/nope');
    await expect(client.realm.subscribe()).rejects.toMatchObject({ code: 400, message: expect.stringMatching(/WebSocket/) });
    expect(calls).toHaveLength(1);
  });

  it('refuses a bad request before sending it, and history arguments that are not Dates at once', async () => {
    const { calls, fetchImpl } = recordingFetch(() => ({ body: REALM }));
    const client = new HivekitClient({ logErrors: false }, { fetch: fetchImpl });
    await client.useHTTP('http://localhost:3000');
    await client.authenticate('tok');
    const realm = await client.realm.get('london');
    await expect(realm.object.get('bad id with spaces')).rejects.toMatchObject({ code: 400 });
    await expect(realm.area.create('a', { shape: { cx: 0 } })).rejects.toMatchObject({ code: 400, message: expect.stringMatching(/unknown shape data/) });
    await expect(realm.area.subscribe({ colour: 'red' })).rejects.toEqual({ message: 'unknown field "colour"', code: 400 });
    expect(() => realm.history.get('riders/7', { startTime: '2020' as unknown as Date, endTime: new Date() })).toThrow(TypeError);
    expect(calls).toHaveLength(1);
    await expect(client.connect('ws://localhost:3000')).rejects.toMatchObject({ code: 400 });
  });
});
