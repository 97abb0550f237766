import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient, RealtimeRestClient, type RealtimeEvent } from '../../client/index.js';
import { startExample, type BrowserExample, type RunningExample } from '../../examples/serve.js';
import { launchChromium, newPage, screenshot, waitForValue } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

/*
 * Every example in examples/ run as its README says, against a real development server: the
 * browser ones through examples/serve.ts (the entry point of `npm run example:<name>`) in
 * Chromium with two users, the publisher as `npm run example:publisher` in a child process.
 */

let demo: DemoServer;
let browser: Browser;
let serviceToken: string;
const running: RunningExample[] = [];
const pageErrors: string[] = [];

async function serve(name: BrowserExample): Promise<string> {
  const example = await startExample(name, { realtimeUrl: demo.url, port: 0 });
  running.push(example);
  return example.url;
}

async function openAs(url: string, name: string): Promise<Page> {
  const { page, errors } = await newPage(browser);
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${name}: ${message.text()}`);
  });
  page.on('close', () => pageErrors.push(...errors.map((error) => `${name}: ${error}`)));
  await page.goto(`${url}?name=${name}`);
  return page;
}

describe('the examples', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    demo = await startDemoServer();
    browser = await launchChromium();
    const minted = await fetch(`${demo.url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'backend', realm: 'demo', permissions: ['service'] }),
    });
    serviceToken = ((await minted.json()) as { token: string }).token;
  });

  afterAll(async () => {
    await browser?.close();
    for (const example of running) await example.close();
    await demo?.close();
  });

  it('chat: two users see each other in presence, their messages and their status', async () => {
    const url = await serve('chat');
    const alice = await openAs(url, 'alice');
    const bob = await openAs(url, 'bob');
    for (const page of [alice, bob]) {
      await page.locator('#members li', { hasText: 'alice (online)' }).waitFor();
      await page.locator('#members li', { hasText: 'bob (online)' }).waitFor();
    }
    await alice.fill('#text', 'Hello, Bob');
    await alice.click('#send button');
    await bob.locator('#messages li', { hasText: 'alice: Hello, Bob' }).waitFor();
    await bob.selectOption('#status', 'away');
    await alice.locator('#members li', { hasText: 'bob (away)' }).waitFor();
    await screenshot(bob, 'example-chat');

    await bob.context().close();
    await alice.locator('#members li', { hasText: 'bob' }).waitFor({ state: 'detached' });
    await alice.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('note: a save shows in the other tab, who has it open is listed, and a stale save meets a conflict', async () => {
    const url = await serve('note');
    const alice = await openAs(url, 'alice');
    const bob = await openAs(url, 'bob');
    await alice.locator('#viewers', { hasText: 'alice, bob' }).waitFor();

    await alice.fill('#text', 'Agenda: ship the examples');
    await alice.click('#save');
    await waitForValue(bob, '#text', 'Agenda: ship the examples');
    expect(await bob.locator('#revision').textContent()).toBe('1');

    // Both start editing revision 1; bob saves first, alice's save then conflicts.
    await bob.fill('#text', "Bob's agenda");
    await alice.fill('#text', "Alice's agenda");
    await bob.click('#save');
    await bob.locator('#saved', { hasText: 'Saved revision 2' }).waitFor();
    await alice.click('#save');
    await alice.locator('#conflict', { hasText: 'Someone saved first (revision 2): "Bob\'s agenda"' }).waitFor();
    await alice.click('#save'); // again, over revision 2: overwrites
    await alice.locator('#saved', { hasText: 'Saved revision 3' }).waitFor();
    await screenshot(alice, 'example-note');

    await bob.context().close();
    await alice.locator('#viewers', { hasText: /^alice$/ }).waitFor();
    await alice.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('map: each tab draws the other rider, and sees it move', async () => {
    const url = await serve('map');
    const alice = await openAs(url, 'alice');
    const bob = await openAs(url, 'bob');
    const bobOnAlice = alice.locator('[data-id="map-riders/bob"] circle');
    await bobOnAlice.waitFor();
    await bob.locator('[data-id="map-riders/alice"] circle').waitFor();
    const before = Number(await bobOnAlice.getAttribute('cx'));

    await bob.click('button[data-move="1,0"]'); // east
    await alice.waitForFunction((x) => Number(document.querySelector('[data-id="map-riders/bob"] circle')?.getAttribute('cx')) > x, before);
    expect(await alice.locator('#count').textContent()).toBe('2 in view');
    await screenshot(alice, 'example-map');
    await alice.context().close();
    await bob.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('react-app: presence, chat, the shared note (Suspense) and the live feed', async () => {
    const url = await serve('react-app');
    const alice = await openAs(url, 'alice');
    const bob = await openAs(url, 'bob');
    for (const page of [alice, bob]) {
      await page.locator('#members li', { hasText: 'alice' }).waitFor();
      await page.locator('#members li', { hasText: 'bob' }).waitFor();
    }
    await bob.fill('#chat-text', 'hi from React');
    await bob.click('#chat-send');
    await alice.locator('#messages li', { hasText: 'bob: hi from React' }).waitFor();

    await bob.fill('#note-text', 'Written in React');
    await bob.click('#note-save');
    await waitForValue(alice, '#note-text', 'Written in React');

    const backend = new RealtimeRestClient({ url: demo.url, token: serviceToken }).realm('demo');
    await backend.publish('demo.feed', { level: 'info', text: 'from the backend' });
    await alice.locator('#feed li', { hasText: 'info: from the backend' }).waitFor();
    await screenshot(alice, 'example-react-app');
    await alice.context().close();
    await bob.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('publisher: `npm run example:publisher` publishes ticks a subscriber receives', async () => {
    const subscriber = new RealtimeClient({ url: demo.url, token: serviceToken, realm: 'demo' });
    try {
      const received: RealtimeEvent[] = [];
      const allThree = new Promise<void>((resolve) => {
        subscriber.on('event:demo.feed', (event) => {
          received.push(event);
          if (received.length === 3) resolve();
        });
      });
      subscriber.subscribe({ topic: 'demo.feed', filter: { author: 'publisher' } });
      await subscriber.ready();

      const child = spawn('npm', ['run', '--silent', 'example:publisher'], {
        env: { ...process.env, REALTIME_URL: demo.url, COUNT: '3', INTERVAL_MS: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, output).toBe(0);
      await allThree;
      expect(received.map(({ payload }) => payload.text)).toEqual(['Tick 1 from the publisher', 'Tick 2 from the publisher', 'Tick 3 from the publisher']);
      expect(received.map(({ type, source }) => `${source}/${type}`)).toEqual(['api/publisher.tick', 'api/publisher.tick', 'api/publisher.tick']);
      expect(output.match(/^published /gm)).toHaveLength(3);
    } finally {
      subscriber.destroy();
    }
  });
});
