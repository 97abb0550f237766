import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/index.js';
import { SERVER_INFO } from '../../server/package-info.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** `/sdk/` and the demo app, without a browser (the e2e tests load them in Chromium). */

let sdkDirectory: string;
let t: TestServer | undefined;

/** A stand-in bundle, large enough to be worth compressing (the compression module skips < 1 KB). */
const BUNDLE = `export const built = true;\n${'export const padding = "abcdefghijklmnopqrstuvwxyz";\n'.repeat(200)}`;

beforeAll(async () => {
  sdkDirectory = await mkdtemp(path.join(tmpdir(), 'realtime-sdk-'));
  await writeFile(path.join(sdkDirectory, 'realtime.mjs'), BUNDLE);
});

/** A GET with exactly these headers (fetch would add Accept-Encoding and decompress by itself). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

afterEach(async () => {
  await t?.close();
  t = undefined;
});

afterAll(async () => {
  await rm(sdkDirectory, { recursive: true, force: true });
});

describe('the browser SDK under /sdk/', () => {
  it('serves the built bundle as JavaScript that any origin may load, cached briefly, then revalidated by ETag', async () => {
    t = await startTestServer({ sdkDirectory });
    const response = await fetch(`${t.url}/sdk/realtime.mjs`, { headers: { origin: 'https://app.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(await response.text()).toBe(BUNDLE);

    // (fetch adds `Cache-Control: no-cache` to a conditional request, which forbids a 304.)
    const again = await rawGet(`${t.url}/sdk/realtime.mjs`, { 'if-none-match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
  });

  it('serves the bundle under its versioned name, cached for a year as immutable; other versions are 404', async () => {
    t = await startTestServer({ sdkDirectory });
    const name = `realtime-${SERVER_INFO.serverVersion}.mjs`;
    const response = await fetch(`${t.url}/sdk/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe(BUNDLE);

    for (const other of ['realtime-0.0.0-old.mjs', 'realtime-99.1.0.js', `realtime-${SERVER_INFO.serverVersion}.css`]) {
      const stale = await fetch(`${t.url}/sdk/${other}`);
      expect(stale.status, other).toBe(404);
      expect(stale.headers.get('cache-control') ?? '', other).not.toMatch(/immutable/);
      expect(await stale.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('compresses with brotli or gzip, as the client accepts, and not for a client that accepts neither', async () => {
    t = await startTestServer({ sdkDirectory });
    const url = `${t.url}/sdk/realtime-${SERVER_INFO.serverVersion}.mjs`;
    const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.body.byteLength).toBeLessThan(Buffer.byteLength(BUNDLE) / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(BUNDLE);

    const gzip = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(BUNDLE);

    const plain = await rawGet(url, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(BUNDLE);
  });

  it('answers 404 NOT_FOUND naming the build command when a bundle is missing, and for any other file', async () => {
    t = await startTestServer({ sdkDirectory });
    const missing = await fetch(`${t.url}/sdk/realtime.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('npm run build:browser') });
    for (const file of ['package.json', '..%2Fpackage.json', '.env']) {
      const response = await fetch(`${t.url}/sdk/${file}`);
      expect(response.status, file).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe('the demo app', () => {
  it('is not served unless enabled', async () => {
    t = await startTestServer({ sdkDirectory });
    expect((await fetch(`${t.url}/`)).status).toBe(404);
    expect((await fetch(`${t.url}/demo/`)).status).toBe(404);
  });

  it('is served at /demo/ when enabled (DEMO_ENABLED=true), and not at /', async () => {
    t = await startTestServer({ sdkDirectory, demo: true });
    const page = await fetch(`${t.url}/demo/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>Realtime Platform demo</title>');
    expect((await fetch(`${t.url}/demo/demo.js`)).headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    const bare = await fetch(`${t.url}/demo?x=1`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/demo/?x=1');
    expect((await fetch(`${t.url}/`)).status).toBe(404);
  });

  it('is served at / (and /demo/) in development mode', async () => {
    t = await startTestServer({ sdkDirectory, developmentMode: true });
    expect(await (await fetch(`${t.url}/`)).text()).toContain('<title>Realtime Platform demo</title>');
    expect((await fetch(`${t.url}/demo.css`)).status).toBe(200);
    expect((await fetch(`${t.url}/demo/`)).status).toBe(200);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
  });
});

describe('DEMO_ENABLED', () => {
  it('is off by default, on with "true", and refuses anything but true or false', () => {
    expect(loadConfig({}).demoEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEMO_ENABLED: 'true' }).demoEnabled).toBe(true);
    expect(() => loadConfig({ DEMO_ENABLED: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO_ENABLED: 'yes' })).toThrow(/DEMO_ENABLED: must be true or false/);
  });
});
