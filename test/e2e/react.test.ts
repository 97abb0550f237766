import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RealtimeClient, RealtimeRestClient, type RestRealm } from '../../client/index.js';
import { launchChromium, newPage, screenshot } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';
import { buildAndServeViteApp, type ServedViteApp } from './support/vite-app.js';

/*
 * The React bindings (client/react) in Chromium: test/e2e/react-app is built with Vite's JS API,
 * served by Vite's preview server (which proxies /socket.io, /auth and /api to a real development
 * server) and rendered in StrictMode. What the server holds is read from the server itself.
 */

let demo: DemoServer;
let browser: Browser;
let app: ServedViteApp;
let backend: RestRealm;
let serviceToken: string;

/** The topics of every subscription the user's connections hold on the server, sorted. */
function serverTopics(userId: string): string[] {
  const topics: string[] = [];
  for (const socket of demo.server.io.of('/').sockets.values()) {
    if (socket.data.principal?.userId !== userId) continue;
    topics.push(...demo.server.gateway.subscriptions.ofSocket(socket.id).map(({ topic }) => topic));
  }
  return topics.sort();
}

/** A page of the app; `errors` collects page errors and what React reports on the console. */
async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await newPage(browser);
  page.on('console', (message) => {
    // The favicon's 404 is the only resource the app lacks.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  await page.goto(`${app.url}/?${query}`);
  await page.locator('#state').waitFor();
  return { page, errors };
}

describe('the React bindings in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    demo = await startDemoServer();
    browser = await launchChromium();
    app = await buildAndServeViteApp('test/e2e/react-app', demo.url);
    const minted = await fetch(`${demo.url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'backend', realm: 'demo', permissions: ['service'] }),
    });
    serviceToken = ((await minted.json()) as { token: string }).token;
    backend = new RealtimeRestClient({ url: demo.url, token: serviceToken }).realm('demo');
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await demo?.close();
  });

  it('useTopic renders the events its filter lets through, holds one subscription under StrictMode, and unsubscribes on unmount', async () => {
    const { page, errors } = await open('user=topic-user&panels=topic');
    await page.locator('#topic-status', { hasText: 'success' }).waitFor();
    // StrictMode mounted the panel twice; the server holds exactly one subscription.
    expect(serverTopics('topic-user')).toEqual(['react.feed']);

    await backend.publish('react.feed', { room: 'b', text: 'not for this filter' });
    await backend.publish('react.feed', { room: 'a', text: 'first' });
    await page.locator('#topic-events li', { hasText: 'first' }).waitFor();
    expect(await page.locator('#topic-events li').allTextContents()).toEqual(['first']);

    await page.click('#toggle-topic');
    await vi.waitFor(() => expect(serverTopics('topic-user')).toEqual([]));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('useDocument shows a document another client creates and edits; components share one watch, which stops with the last', async () => {
    const { page, errors } = await open('user=doc-user&panels=doc');
    await page.locator('#doc-text', { hasText: '(none)' }).waitFor();
    expect(await page.locator('#doc-status').textContent()).toBe('success');
    expect(serverTopics('doc-user')).toEqual(['sync.notes.created', 'sync.notes.deleted', 'sync.notes.updated']);

    await backend.sync.create('notes', { text: 'written by the backend' }, 'react-note');
    await page.locator('#doc-text', { hasText: 'written by the backend' }).waitFor();
    await backend.sync.replace('notes', 'react-note', { text: 'edited' }, 1);
    await page.locator('#doc-text', { hasText: 'edited' }).waitFor();
    expect(await page.locator('#doc-revision').textContent()).toBe('2');

    // A second component on the same document shares the watch; it ends with the last of them.
    const watch = ['sync.notes.created', 'sync.notes.deleted', 'sync.notes.updated'];
    await page.click('#toggle-twin');
    await page.locator('#twin-text', { hasText: 'edited' }).waitFor();
    expect(serverTopics('doc-user')).toEqual(watch);
    await page.click('#toggle-doc');
    await page.locator('#doc-text').waitFor({ state: 'detached' });
    await backend.sync.replace('notes', 'react-note', { text: 'still watched' }, 2);
    await page.locator('#twin-text', { hasText: 'still watched' }).waitFor();
    expect(serverTopics('doc-user')).toEqual(watch);
    await page.click('#toggle-twin');
    await vi.waitFor(() => expect(serverTopics('doc-user')).toEqual([]));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('usePresence and useChannel: two users see each other and their messages, again after a dropped connection; the channel is left on unmount', async () => {
    const alice = await open('user=alice&panels=presence');
    const bob = await open('user=bob&panels=presence');
    for (const { page } of [alice, bob]) {
      await page.locator('#members li', { hasText: 'alice' }).waitFor();
      await page.locator('#members li', { hasText: 'bob' }).waitFor();
    }
    // One membership per page despite StrictMode's double mount.
    expect((await backend.presence.members('room:react')).map(({ userId }) => userId).sort()).toEqual(['alice', 'bob']);

    await bob.page.click('#say');
    await alice.page.locator('#messages li', { hasText: 'hello from bob' }).waitFor();
    await screenshot(alice.page, 'react-presence');

    // Bob's connection drops: the client reconnects and re-joins, and his list is read again.
    expect(demo.dropConnections('bob')).toBe(1);
    await bob.page.locator('#state', { hasText: 'reconnecting' }).waitFor();
    await bob.page.locator('#state', { hasText: 'connected' }).waitFor();
    await vi.waitFor(async () => expect((await backend.presence.members('room:react')).map(({ userId }) => userId).sort()).toEqual(['alice', 'bob']));
    await bob.page.locator('#members li', { hasText: 'alice' }).waitFor();
    await alice.page.locator('#members li', { hasText: 'bob' }).waitFor();
    // Bob's list was read again after the re-join: it holds his new connection, not the old one.
    const bobConnection = await bob.page.evaluate(
      () => (window as unknown as { realtimeClient: { socketClient: { id?: string } } }).realtimeClient.socketClient.id,
    );
    await bob.page.locator(`#members li[data-connection="${bobConnection}"]`).waitFor();
    await alice.page.locator(`#members li[data-connection="${bobConnection}"]`).waitFor();
    expect(await bob.page.locator('#members li').count()).toBe(2);
    expect(await alice.page.locator('#members li').count()).toBe(2);
    expect(await bob.page.locator('#others').textContent()).toBe('alice');
    expect(await alice.page.locator('#others').textContent()).toBe('bob');

    await alice.page.click('#toggle-presence');
    await bob.page.locator('#members li', { hasText: 'alice' }).waitFor({ state: 'detached' });
    expect((await backend.presence.members('room:react')).map(({ userId }) => userId)).toEqual(['bob']);
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    await alice.page.context().close();
    await bob.page.context().close();
  });

  it('Suspense: the fallback shows until the first read answers, then the content', async () => {
    await backend.sync.create('notes', { text: 'ready' }, 'react-suspense');
    const { page, errors } = await open('user=suspense-user&login=manual&panels=suspense');
    // Not logged in yet: the read waits, so the component stays suspended.
    await page.locator('#suspense-fallback').waitFor();
    expect(await page.locator('#suspense-content').count()).toBe(0);

    await page.click('#login');
    await page.locator('#suspense-content', { hasText: 'ready' }).waitFor();
    expect(await page.locator('#suspense-fallback').count()).toBe(0);
    expect(await page.locator('#state').textContent()).toBe('connected');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('Suspense: a refused read goes to the error boundary with its code', async () => {
    const { page } = await open('user=forbidden-user&panels=forbidden');
    await page.locator('#boundary-error', { hasText: 'FORBIDDEN' }).waitFor();
    expect(await page.locator('#forbidden-content').count()).toBe(0);
    await page.context().close();
  });

  it('useObjects follows objects as they are created and move; useRecord reads and writes a record; both end on unmount', async () => {
    const service = new RealtimeClient({ url: demo.url, token: serviceToken, realm: 'demo' });
    try {
      // A record listener is offered the record while a page follows it, and stopped after.
      const offered: string[] = [];
      let provisionEnded: (reason: string) => void = () => {};
      const ended = new Promise<string>((resolve) => (provisionEnded = resolve));
      await service.listen(
        'react/*',
        (name, response) => {
          offered.push(name);
          response.onStop(provisionEnded);
          response.accept();
        },
        { kind: 'record' },
      );
      const { page, errors } = await open('user=objects-user&panels=objects,record');
      await page.locator('#objects-status', { hasText: 'success' }).waitFor();
      await service.objects.create('riders/react-1', { label: 'R1', location: { latitude: 51.5, longitude: -0.12 }, data: { type: 'react-rider' } });
      await service.objects.create('riders/other', { location: { latitude: 51.5, longitude: -0.12 }, data: { type: 'scooter' } });
      await page.locator('#objects li', { hasText: 'riders/react-1 51.5' }).waitFor();
      await service.objects.update('riders/react-1', { location: { latitude: 51.51, longitude: -0.12 } });
      await page.locator('#objects li', { hasText: 'riders/react-1 51.51' }).waitFor();
      expect(await page.locator('#objects li').allTextContents()).toEqual(['riders/react-1 51.51']);

      await page.locator('#record-name', { hasText: '(none)' }).waitFor();
      await page.locator('#record-provider', { hasText: 'true' }).waitFor();
      expect(offered).toEqual(['react/profile']);
      await page.click('#record-set');
      await page.locator('#record-name', { hasText: 'set by objects-user' }).waitFor();
      expect(await page.locator('#record-version').textContent()).toBe('1');
      await backend.sync.replace('records', 'react.profile', { name: 'from the backend' }, 1);
      await page.locator('#record-name', { hasText: 'from the backend' }).waitFor();

      await page.click('#toggle-record');
      await vi.waitFor(() => expect(serverTopics('objects-user')).toEqual([]));
      expect(await ended).toBeTypeOf('string');
      // The feed was the only one in the realm: cancelling it drops the realm's matcher.
      const feeds = demo.server.services.objectDelivery.objectFeeds;
      expect(feeds.realmCount).toBe(1);
      await page.click('#toggle-objects');
      await vi.waitFor(() => expect(feeds.realmCount).toBe(0));
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      service.destroy();
    }
  });
});
