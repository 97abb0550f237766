import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GZIP_BUDGET_BYTES } from '../../client/browser/build.js';
import { SERVER_INFO } from '../../server/package-info.js';
import { launchChromium, newPage, screenshot } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

/** The browser bundles as built and served, used from pages that have no build step. */

let demo: DemoServer;
let browser: Browser;

describe('the browser SDK bundles', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    demo = await startDemoServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('stays under the gzip budget, and the build reports its sizes', async () => {
    const sizes = JSON.parse(await readFile(path.join(demo.bundles.outDir, 'sizes.json'), 'utf8')) as {
      bundles: { file: string; bytes: number; gzipBytes: number }[];
    };
    expect(sizes.bundles.map(({ file }) => file)).toEqual(['realtime.mjs', 'realtime.js']);
    for (const bundle of sizes.bundles) {
      expect(bundle.gzipBytes, `${bundle.file} gzipped`).toBeLessThan(GZIP_BUDGET_BYTES);
      expect(bundle.gzipBytes).toBeLessThan(bundle.bytes);
    }
    expect(demo.bundles.overBudget).toEqual([]);
  });

  it('serves both bundles and their source maps from /sdk/, to any origin', async () => {
    for (const file of ['realtime.mjs', 'realtime.js']) {
      const response = await fetch(`${demo.url}/sdk/${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const code = await response.text();
      expect(code).toContain(`sourceMappingURL=${file}.map`);
      // Minified, and nothing of Node's left in it.
      expect(code.split('\n').length).toBeLessThan(20);
      expect(code).not.toMatch(/\brequire\(["'](node:)?(crypto|fs|net|tls|http|https|zlib|stream|events|buffer)["']\)/);

      const map = (await (await fetch(`${demo.url}/sdk/${file}.map`)).json()) as { sources: string[] };
      expect(map.sources.some((source) => source.endsWith('client/realtime-client.ts'))).toBe(true);
      expect(map.sources.some((source) => source.includes('node_modules/socket.io-client/'))).toBe(true);
      expect(map.sources.some((source) => source.includes('node_modules/jose/dist/webapi/'))).toBe(true);
      expect(map.sources.some((source) => source.includes('node_modules/debug/src/browser.js'))).toBe(true);
    }
    const missing = await fetch(`${demo.url}/sdk/server.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('works from a script tag in a page with no build step', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${demo.url}/script-tag.html`);
    await page.locator('#events li', { hasText: 'info: Hello from a script tag' }).waitFor();
    expect(await page.locator('#state').textContent()).toBe('connected');
    const global = await page.evaluate(() => {
      const sdk = (window as unknown as { Realtime: Record<string, unknown> }).Realtime;
      return { keys: Object.keys(sdk).sort(), client: typeof sdk.RealtimeClient, errors: typeof sdk.ConflictError };
    });
    expect(global).toMatchObject({ client: 'function', errors: 'function' });

    // The module bundle exports exactly what the script tag's global holds.
    // (A string, so that the test runner does not rewrite the page's dynamic import.)
    const moduleKeys = await page.evaluate<string[]>('import("/sdk/realtime.mjs").then((sdk) => Object.keys(sdk).sort())');
    expect(moduleKeys).toEqual(global.keys);
    // The versioned name (cached as immutable, served compressed) is the same module.
    const versionedKeys = await page.evaluate<string[]>(`import("/sdk/realtime-${SERVER_INFO.serverVersion}.mjs").then((sdk) => Object.keys(sdk).sort())`);
    expect(versionedKeys).toEqual(global.keys);
    await screenshot(page, 'script-tag');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('runs the deepstream dialect from the module bundle and the script tag: login, records, events', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${demo.url}/script-tag.html`);
    expect(await page.evaluate(() => typeof (window as unknown as { Realtime: { deepstream: unknown } }).Realtime.deepstream)).toBe('function');
    // A string, so that the test runner does not rewrite the page's dynamic import.
    const outcome = await page.evaluate<Record<string, unknown>>(`(async () => {
      const { deepstream } = await import('/sdk/realtime.mjs');
      const response = await fetch('/auth/dev-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'browser-user', realm: 'demo', per: { demo: { 'doc/records/*': 'CRUD', 'topic/ds.*': 'CR' } } }),
      });
      const { token } = await response.json();
      const client = deepstream(location.origin.replace(/^http/, 'ws') + '?apiKey=ignored');
      const before = client.getConnectionState();
      const data = await client.login({ token });
      const record = client.record.getRecord('browser/profile');
      await record.whenReady();
      const heard = new Promise((resolve) => client.event.subscribe('news/Browser', resolve));
      await new Promise((resolve) => record.set('personalData.firstname', 'Lisa', resolve));
      client.event.emit('news/Browser', { hello: 'from Chromium' });
      const result = {
        before,
        data,
        state: client.getConnectionState(),
        snapshot: await client.record.snapshot('browser/profile'),
        version: record.version,
        event: await heard,
        strategies: Object.keys(deepstream.MERGE_STRATEGIES).sort(),
      };
      client.close();
      return result;
    })()`);
    expect(outcome).toEqual({
      // deepstream(url) opens its connection at once; it is quarantined once open.
      before: 'AWAITING_CONNECTION',
      data: { id: 'browser-user' },
      state: 'OPEN',
      snapshot: { personalData: { firstname: 'Lisa' } },
      version: 1,
      event: { hello: 'from Chromium' },
      strategies: ['LOCAL_WINS', 'REMOTE_WINS'],
    });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('is importable as an ES module by a page on another origin', async () => {
    // Another origin on this machine: a second server, on another port.
    const html = `<!doctype html><title>Elsewhere</title><script type="module">
      import { RealtimeClient, InvalidArgumentError } from '${demo.url}/sdk/realtime.mjs';
      try { new RealtimeClient({ url: 'not a url', token: 'x' }); } catch (err) {
        document.title = err instanceof InvalidArgumentError ? 'imported: ' + err.code : 'wrong error';
      }
    </script>`;
    const elsewhere = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    elsewhere.listen(0, '127.0.0.1');
    await once(elsewhere, 'listening');
    const { page, errors } = await newPage(browser);
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await page.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => document.title !== 'Elsewhere');
      expect(await page.title()).toBe('imported: INVALID_ARGUMENT');
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
      elsewhere.close();
    }
  });
});
