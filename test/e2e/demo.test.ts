import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPage, screenshot, waitForValue } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';

/**
 * The demo app in real Chromium: two browser contexts (two people) against one real server, in
 * the order a person would try it. Every wait is on a DOM condition.
 */

interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  errors: string[];
}

let demo: DemoServer;
let browser: Browser;
let alice: Person;
let bob: Person;

async function signIn(name: string): Promise<Person> {
  const { context, page, errors } = await newPage(browser);
  await page.goto(demo.url);
  // The name field has focus on arrival, and Enter signs in: no mouse needed.
  await page.locator('#sign-in-name:focus').waitFor();
  expect(await page.locator('#app').isHidden()).toBe(true);
  if (name === 'alice') await screenshot(page, 'demo-sign-in');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await page.locator('#connection[data-state="connected"]').waitFor();
  await page.locator('#note-text:not([disabled])').waitFor();
  return { name, context, page, errors };
}

const member = (person: Person, userId: string, status?: string) =>
  person.page.locator(`#chat-members li[data-user="${userId}"]${status === undefined ? '' : `[data-status="${status}"]`}`);
const chatMessage = (person: Person, text: string) => person.page.locator('#chat-log li', { hasText: text });
const feedItem = (person: Person, text: string) => person.page.locator('#feed-log li', { hasText: text });

async function postToFeed(person: Person, level: string, text: string): Promise<void> {
  await person.page.getByLabel('Level', { exact: true }).selectOption(level);
  await person.page.getByLabel('Feed message').fill(text);
  await person.page.getByRole('button', { name: 'Post' }).click();
  await feedItem(person, text).waitFor();
}

async function saveNote(person: Person, text: string): Promise<void> {
  await person.page.getByLabel('Note text').fill(text);
  await person.page.getByRole('button', { name: 'Save' }).click();
  await person.page.locator('#note-status', { hasText: /^Saved revision \d+$/ }).waitFor();
}

describe('the demo app in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    demo = await startDemoServer();
    browser = await launchChromium();
    alice = await signIn('alice');
    bob = await signIn('bob');
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('serves the demo at / and loads the SDK from /sdk/realtime.mjs', async () => {
    const sdk = await fetch(`${demo.url}/sdk/realtime.mjs`);
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await alice.page.title()).toBe('Realtime Platform demo');
    await alice.page.locator('#whoami-name', { hasText: 'alice' }).waitFor();
    expect((await fetch(`${demo.url}/demo`, { redirect: 'manual' })).headers.get('location')).toBe('/demo/');
  });

  it('shows chat messages, the member list and typing and status presence to both people', async () => {
    await member(alice, 'bob', 'online').waitFor();
    await member(bob, 'alice', 'online').waitFor();
    expect(await alice.page.locator('#chat-member-count').textContent()).toBe('2');

    await alice.page.getByLabel('Chat message', { exact: true }).fill('Hello bob');
    await alice.page.getByRole('button', { name: 'Send' }).click();
    await chatMessage(bob, 'Hello bob').waitFor();
    await chatMessage(alice, 'Hello bob').waitFor();

    await bob.page.getByLabel('Chat message', { exact: true }).fill('Hi alice, one moment');
    await member(alice, 'bob', 'typing').waitFor();
    await alice.page.locator('#chat-typing', { hasText: 'bob is typing…' }).waitFor();
    await screenshot(alice.page, 'demo-chat-typing');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await chatMessage(alice, 'Hi alice, one moment').waitFor();
    await member(alice, 'bob', 'online').waitFor();
    await alice.page.locator('#chat-typing:empty').waitFor();

    await bob.page.getByLabel('My status').selectOption('away');
    await member(alice, 'bob', 'away').waitFor();
    await bob.page.getByLabel('My status').selectOption('online');
    await member(alice, 'bob', 'online').waitFor();
  });

  it('edits the shared note together: live updates, and a conflict the user resolves', async () => {
    await alice.page.locator('#note-editors', { hasText: 'bob' }).waitFor();

    await saveNote(alice, 'Agenda: ship the SDK');
    await waitForValue(bob.page, '#note-text', 'Agenda: ship the SDK');
    await bob.page.locator('#note-revision', { hasText: 'last saved by alice' }).waitFor();

    // Bob starts editing; alice saves first.
    await bob.page.getByLabel('Note text').fill('Agenda: ship the SDK and the demo');
    await alice.page.locator('#note-editors', { hasText: 'bob (editing)' }).waitFor();
    await saveNote(alice, 'Agenda: ship the SDK, then celebrate');
    await bob.page.locator('#note-status', { hasText: 'alice saved revision' }).waitFor();
    // Bob's unsaved text is kept while alice's revision arrives.
    await waitForValue(bob.page, '#note-text', 'Agenda: ship the SDK and the demo');

    await bob.page.getByRole('button', { name: 'Save' }).click();
    const conflict = bob.page.locator('#note-conflict');
    await conflict.waitFor({ state: 'visible' });
    expect(await bob.page.locator('#note-conflict-mine').textContent()).toBe('Agenda: ship the SDK and the demo');
    expect(await bob.page.locator('#note-conflict-theirs').textContent()).toBe('Agenda: ship the SDK, then celebrate');
    expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe('note-conflict-title');
    await screenshot(bob.page, 'demo-note-conflict');

    await bob.page.getByRole('button', { name: 'Keep both, then edit' }).click();
    await waitForValue(bob.page, '#note-text', 'Agenda: ship the SDK, then celebrate\n\nAgenda: ship the SDK and the demo');
    await saveNote(bob, 'Agenda: ship the SDK and the demo, then celebrate');
    await conflict.waitFor({ state: 'hidden' });
    await waitForValue(alice.page, '#note-text', 'Agenda: ship the SDK and the demo, then celebrate');
    await alice.page.locator('#note-revision', { hasText: 'last saved by bob' }).waitFor();

    // Once more, by keyboard only: Ctrl+Enter saves, focus lands in the conflict panel, Tab and
    // Enter choose "Overwrite with mine".
    await bob.page.getByLabel('Note text').fill('Bob insists');
    await saveNote(alice, 'Alice insists');
    await bob.page.locator('#note-status', { hasText: 'alice saved revision' }).waitFor();
    await bob.page.getByLabel('Note text').focus();
    await bob.page.keyboard.press('Control+Enter');
    await bob.page.locator('#note-conflict-title:focus').waitFor();
    await bob.page.keyboard.press('Tab');
    expect(await bob.page.evaluate(() => document.activeElement?.textContent)).toBe('Overwrite with mine');
    await bob.page.keyboard.press('Enter');
    await conflict.waitFor({ state: 'hidden' });
    await waitForValue(alice.page, '#note-text', 'Bob insists');
  });

  it('filters the live feed on the server with a filter the user changes', async () => {
    await bob.page.getByLabel('Info', { exact: true }).uncheck();
    await bob.page.locator('#feed-filter-summary[data-active="true"]', { hasText: '{"level":{"in":["warning","alert"]}}' }).waitFor();

    await postToFeed(alice, 'info', 'Routine backup finished');
    await postToFeed(alice, 'alert', 'Disk almost full');
    // Events of one topic arrive in order: once the alert is there, the info event would have been too.
    await feedItem(bob, 'Disk almost full').waitFor();
    expect(await feedItem(bob, 'Routine backup finished').count()).toBe(0);
    await feedItem(alice, 'Routine backup finished').waitFor();

    await bob.page.getByLabel('Info', { exact: true }).check();
    await bob.page.locator('#feed-filter-summary[data-active="true"]', { hasText: 'no filter' }).waitFor();
    await postToFeed(alice, 'info', 'Info is back');
    await feedItem(bob, 'Info is back').waitFor();
    await bob.page.getByLabel('Info', { exact: true }).uncheck();
    await bob.page.locator('#feed-filter-summary[data-active="true"]', { hasText: '"in":["warning","alert"]' }).waitFor();
    await screenshot(bob.page, 'demo-feed-filtered');
  });

  it('recovers after going offline: subscriptions, missed feed events, the note and presence', async () => {
    // Chromium's offline emulation blocks traffic but usually leaves an open WebSocket open until
    // the heartbeat times out (45 s), and sometimes closes it at once; closing the server side
    // too, if it is still there, is what a dropped network does.
    await bob.page.locator('#connection[data-state="connected"]').waitFor();
    // The page and the server must agree that bob is connected before the network goes.
    await expect.poll(() => demo.connectedUsers().includes('bob'), { timeout: 10_000 }).toBe(true);
    await bob.context.setOffline(true);
    demo.dropConnections('bob');
    expect(demo.connectedUsers()).not.toContain('bob');
    await bob.page.locator('#connection[data-state="reconnecting"]').waitFor();
    await member(alice, 'bob').waitFor({ state: 'detached' });

    await postToFeed(alice, 'warning', 'Published while bob was offline');
    await postToFeed(alice, 'info', 'Filtered out while bob was offline');
    await saveNote(alice, 'Written while bob was offline');
    // Still offline: a reconnection attempt has failed, and nothing of the above reached bob.
    await bob.page.locator('#connection[data-state="reconnecting"]', { hasText: 'attempt 2' }).waitFor();
    expect(await feedItem(bob, 'Published while bob was offline').count()).toBe(0);
    expect(await bob.page.locator('#note-text').inputValue()).not.toBe('Written while bob was offline');

    await bob.context.setOffline(false);
    await bob.page.locator('#connection[data-state="connected"]').waitFor();
    await feedItem(bob, 'Published while bob was offline').waitFor();
    await bob.page.locator('#feed-status', { hasText: 'events published while you were away have been delivered' }).waitFor();
    expect(await feedItem(bob, 'Filtered out while bob was offline').count()).toBe(0);
    expect(await feedItem(bob, 'Disk almost full').count()).toBe(1);
    await waitForValue(bob.page, '#note-text', 'Written while bob was offline');
    await member(alice, 'bob').waitFor();
    await member(bob, 'alice').waitFor();

    await bob.page.getByLabel('Chat message', { exact: true }).fill('Back again');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await chatMessage(alice, 'Back again').waitFor();
    await screenshot(bob.page, 'demo-after-reconnect');
    await screenshot(alice.page, 'demo-alice');
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    expect(await alice.page.locator('#problem').isHidden()).toBe(true);
    expect(await bob.page.locator('#problem').isHidden()).toBe(true);
  });

  it('keeps a note saved offline and merges it on reconnect with the revision saved meanwhile', async () => {
    await saveNote(alice, 'Plan for Monday');
    await waitForValue(bob.page, '#note-text', 'Plan for Monday');
    await expect.poll(() => demo.connectedUsers().includes('bob'), { timeout: 10_000 }).toBe(true);
    await bob.context.setOffline(true);
    demo.dropConnections('bob');
    await bob.page.locator('#connection[data-state="reconnecting"]').waitFor();

    await bob.page.getByLabel('Note text').fill('Bob: bring the slides');
    await bob.page.getByRole('button', { name: 'Save' }).click();
    await bob.page.locator('#note-status', { hasText: 'Saved offline' }).waitFor();
    await saveNote(alice, 'Alice: book the room');

    await bob.context.setOffline(false);
    await bob.page.locator('#connection[data-state="connected"]').waitFor();
    const merged = 'Alice: book the room\n\nBob: bring the slides';
    await waitForValue(bob.page, '#note-text', merged);
    await bob.page.locator('#note-status', { hasText: /^Saved revision \d+$/ }).waitFor();
    await waitForValue(alice.page, '#note-text', merged);
    await alice.page.locator('#note-revision', { hasText: 'last saved by bob' }).waitFor();
    expect(await bob.page.locator('#note-conflict').isHidden()).toBe(true);
    await screenshot(bob.page, 'demo-note-offline-merge');
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
