import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPage, screenshot } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

/** The Hivekit dialect from the script-tag bundle, in Chromium, against a real server. */

let demo: DemoServer;
let browser: Browser;

async function devToken(claims: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${demo.url}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

describe('HivekitClient in the browser bundle', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    demo = await startDemoServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('runs a Hivekit snippet from a script tag: connect, authenticate, realm, objects, a live subscription', async () => {
    const token = await devToken({ sub: 'browser-backend', realm: 'hive', permissions: ['service'] });
    const { page, errors } = await newPage(browser);
    await page.goto(`${demo.url}/health`);
    await page.addScriptTag({ url: '/sdk/realtime.js' });
    // A string, so that the test runner does not rewrite the page's code.
    const result = await page.evaluate<{
      statuses: string[];
      label: string;
      seen: string[];
      object: { id: string; location: { latitude: number } };
    }>(`(async () => {
      const HivekitClient = window.Realtime.HivekitClient;
      const client = new HivekitClient({ logErrors: false });
      const statuses = [];
      client.on('connectionStatusChanged', (status) => statuses.push(status));
      await client.connect(location.origin.replace('http', 'ws') + '/api/v1/ws');
      await client.authenticate(${JSON.stringify(token)});
      await client.realm.create('hive', 'Hive in a browser');
      const realm = await client.realm.get('hive');
      await realm.object.create('bees/1', { label: 'Queen', location: { latitude: '48.85', longitude: '2.35' } });
      const subscription = await realm.object.subscribe();
      const seen = [];
      const done = new Promise((resolve) => subscription.on('update', (objects) => {
        seen.push(Object.keys(objects).sort().join(','));
        if (objects['bees/2']) resolve();
      }));
      realm.object.set('bees/2', { location: { latitude: 48.86, longitude: 2.34 } });
      await done;
      const object = await realm.object.get('bees/1');
      await client.disconnect();
      return { statuses, label: realm.label, seen, object };
    })()`);
    expect(result.statuses).toEqual(['connecting', 'connected', 'authenticated', 'disconnecting', 'disconnected']);
    expect(result.label).toBe('Hive in a browser');
    expect(result.seen.at(-1)).toBe('bees/1,bees/2');
    expect(result.object).toMatchObject({ id: 'bees/1', location: { latitude: 48.85 } });
    await screenshot(page, 'hivekit-browser');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
