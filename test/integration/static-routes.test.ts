import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** `/sdk/` and the demo app, without a browser (the e2e tests load them in Chromium). */

let sdkDirectory: string;
let t: TestServer | undefined;

beforeAll(async () => {
  sdkDirectory = await mkdtemp(path.join(tmpdir(), 'realtime-sdk-'));
  await writeFile(path.join(sdkDirectory, 'realtime.mjs'), 'export const built = true;\n');
});

afterEach(async () => {
  await t?.close();
  t = undefined;
});

afterAll(async () => {
  await rm(sdkDirectory, { recursive: true, force: true });
});

describe('the browser SDK under /sdk/', () => {
  it('serves the built bundle as JavaScript that any origin may load, revalidated on every load', async () => {
    t = await startTestServer({ sdkDirectory });
    const response = await fetch(`${t.url}/sdk/realtime.mjs`, { headers: { origin: 'https://app.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toBeTruthy();
    expect(await response.text()).toBe('export const built = true;\n');
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
