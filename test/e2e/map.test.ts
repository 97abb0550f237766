import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPage, screenshot } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

/**
 * The live map (client/demo/map.html) in real Chromium: two riders, each a tab with its own
 * HivekitClient, against one real server. Each tab provides data for its own object (`dpv`), so
 * the other sees it come online, move into the zone, and go offline. Every wait is on the DOM.
 */

interface Rider {
  name: string;
  context: BrowserContext;
  page: Page;
  errors: string[];
}

let demo: DemoServer;
let browser: Browser;
let alice: Rider;
let bob: Rider;

async function ride(name: string): Promise<Rider> {
  const { context, page, errors } = await newPage(browser);
  await page.goto(`${demo.url}/map.html`);
  await page.getByLabel('Rider name').fill(name);
  await page.keyboard.press('Enter');
  await page.locator('#connection[data-state="connected"]').waitFor();
  await page.locator(`#map-objects g[data-id="riders/${name}"][data-status="connected"]`).waitFor();
  return { name, context, page, errors };
}

const dot = (rider: Rider, id: string, status: string) => rider.page.locator(`#map-objects g[data-id="${id}"][data-status="${status}"]`);

describe('the live map in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    demo = await startDemoServer();
    browser = await launchChromium();
    alice = await ride('alice');
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('shows another rider online, moving into the zone, and going offline', async () => {
    await alice.page.locator('#map-areas circle[data-area="zones/centre"]').waitFor();
    bob = await ride('bob');

    // Alice's feed of the visible rectangle sees bob, online because his tab provides his object.
    await dot(alice, 'riders/bob', 'connected').waitFor();
    await alice.page.locator('#status-log li[data-id="riders/bob"][data-status="connected"]').waitFor();

    // Bob rides into the zone: alice's area-bound subscription adds him.
    await bob.page.getByRole('button', { name: 'Ride into the zone' }).click();
    await alice.page.locator('#zone-list li[data-id="riders/bob"]').waitFor();
    const before = await dot(alice, 'riders/bob', 'connected').locator('circle').getAttribute('cx');
    await bob.page.getByRole('button', { name: 'Move east' }).click();
    await expect.poll(() => dot(alice, 'riders/bob', 'connected').locator('circle').getAttribute('cx')).not.toBe(before);
    await screenshot(alice.page, 'map-two-riders');

    // Bob closes his tab: his object stays on alice's map, offline, and the status log says so.
    await bob.context.close();
    await dot(alice, 'riders/bob', 'disconnected').waitFor();
    await alice.page.locator('#status-log li[data-id="riders/bob"][data-status="disconnected"]').waitFor();
    await dot(alice, 'riders/alice', 'connected').waitFor();
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
