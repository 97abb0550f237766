import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/index.js';
import { launchChromium, newPage, screenshot } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

/**
 * The admin console (client/admin/) in real Chromium, as an operator uses it: sign in with a
 * platform admin's token, read the overview, connections, topics, channels, documents and
 * webhooks of a realm where a backend and a user are at work, redeliver a dead letter, and tail
 * and replay an event. Every wait is on the DOM.
 */

let demo: DemoServer;
let browser: Browser;
let page: Page;
let errors: string[];
let carol: RealtimeClient;
let adminToken: string;

async function devToken(claims: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${demo.url}/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function rest(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${demo.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'x-realm': 'shop', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.json();
}

beforeAll(async () => {
  // Webhook retries in milliseconds, so that a failing endpoint's delivery is a dead letter at once.
  demo = await startDemoServer({ webhooks: { allowPrivateNetworks: true, pollIntervalMs: 20, retryDelaysMs: [10], retryJitter: 0 } });
  browser = await launchChromium();
  adminToken = await devToken({ sub: 'ops', realms: ['*'], permissions: ['admin'] });
  await rest('POST', '/api/topics', { name: 'orders.created', owner: 'checkout' });
  await rest('POST', '/api/realms', { realm: 'shop', label: 'The shop' });
  await rest('POST', '/api/sync/notes/documents', { id: 'n1', data: { title: 'Opening hours' } });
  await rest('POST', '/api/webhooks', { url: 'http://127.0.0.1:1/refused', topics: ['orders.*'] });
  await rest('POST', '/api/events', { topic: 'orders.created', payload: { orderId: 1 } });
  await rest('POST', '/api/database/mappings', { table: 'orders', topic: 'orders.created', events: ['insert'], payload: { orderId: '$row.id' } });
  // A committed row change, as a source hands it over (the sources have their own tests).
  await demo.server.services.databaseEvents.route({ table: 'orders', operation: 'insert', row: { id: 9 } });
  carol = new RealtimeClient({ url: demo.url, token: await devToken({ sub: 'carol', realm: 'shop', permissions: ['client'] }) });
  await carol.socketClient.joinChannel('lobby', { state: { status: 'browsing' } });
  ({ page, errors } = await newPage(browser));
});

afterAll(async () => {
  carol?.destroy();
  await browser?.close();
  await demo?.close();
});

describe('the admin console in Chromium', { timeout: 90_000 }, () => {
  it('shows a realm at work and lets the operator redeliver, tail and replay', async () => {
    await page.goto(`${demo.url}/admin/`);
    await page.getByLabel(/Admin token/).fill(adminToken);
    await page.getByLabel('Realm', { exact: true }).fill('shop');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#m-connections').textContent()).toMatch(/^\d+$/);
    // The chart gets its lines from the second sample on.
    await page.locator('#chart polyline.in').waitFor({ state: 'attached' });

    await page.getByRole('button', { name: 'Connections' }).click();
    await page.locator('#user-list li[data-user="carol"]').waitFor();

    await page.getByRole('button', { name: 'Topics' }).click();
    await expect.poll(() => page.locator('#topic-rows tr[data-topic="orders.created"] td').nth(1).textContent()).toBe('checkout');

    await page.getByRole('button', { name: 'Channels' }).click();
    await page.locator('#channel-list li[data-channel="lobby"]').getByRole('button', { name: 'Members' }).click();
    await page.locator('#member-list li[data-member="carol"]').waitFor();

    await page.getByRole('button', { name: 'Documents' }).click();
    await page.locator('#service').fill('notes');
    await page.getByRole('button', { name: 'List' }).click();
    await page.locator('#document-list li[data-document="n1"] button').click();
    await expect.poll(() => page.locator('#document-view').textContent()).toContain('Opening hours');

    await page.getByRole('button', { name: 'Webhooks' }).click();
    await page.locator('#webhook-list li').first().waitFor();
    // The refused endpoint's delivery fails its two attempts and lands in the dead letters.
    await expect
      .poll(async () => {
        await page.locator('[data-refresh="webhooks"]').click();
        return page.locator('#dead-letter-list li[data-delivery]').count();
      })
      .toBeGreaterThan(0);
    await page.locator('#dead-letter-list li[data-delivery]').first().getByRole('button', { name: 'Redeliver' }).click();
    await page.locator('#dead-letter-list strong', { hasText: 'queued again' }).waitFor();

    await page.getByRole('button', { name: 'Database' }).click();
    await page.locator('#mapping-list li[data-mapping]', { hasText: 'orders → orders.created: 1 delivered, 0 skipped, 0 failed' }).waitFor();
    await page.locator('#database-source-list li', { hasText: 'No source configured' }).waitFor();

    await page.getByRole('button', { name: 'Event tail' }).click();
    await page.locator('#tail-topics').fill('orders.created');
    await page.getByRole('button', { name: 'Start tail' }).click();
    // The console's own RealtimeClient must be subscribed before the backend publishes.
    await expect
      .poll(async () => {
        await rest('POST', '/api/events', { topic: 'orders.created', payload: { orderId: 2 } });
        return page.locator('#event-list li[data-topic="orders.created"]').count();
      })
      .toBeGreaterThan(0);
    const before = await page.locator('#event-list li').count();
    await page.locator('#event-list li').first().getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.locator('#event-list li').count()).toBe(before + 1);
    await expect.poll(() => page.locator('#event-list li').first().textContent()).toContain('"orderId":2');
    await screenshot(page, 'admin-event-tail');
    await page.getByRole('button', { name: 'Overview' }).click();
    // Traffic for the chart: the rates come from the difference of two scrapes.
    await expect
      .poll(async () => {
        await Promise.all(Array.from({ length: 10 }, (_, orderId) => rest('POST', '/api/events', { topic: 'orders.created', payload: { orderId } })));
        return Number(await page.locator('#m-in').textContent());
      })
      .toBeGreaterThan(0);
    await page.locator('#realm-list li', { hasText: 'shop (The shop)' }).waitFor();
    await screenshot(page, 'admin-overview');
    expect(await page.locator('#problem').textContent()).toBe('');
    expect(errors).toEqual([]);
  });

  it('refuses a token the server does not accept', async () => {
    const { page: other, context } = await newPage(browser);
    await other.goto(`${demo.url}/admin/`);
    await other.getByLabel(/Admin token/).fill('not.a.token');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => other.locator('#sign-in-error').textContent()).not.toBe('');
    expect(await other.locator('#console').isHidden()).toBe(true);
    await context.close();
  });
});
