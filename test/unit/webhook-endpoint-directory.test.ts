import { describe, expect, it } from 'vitest';
import { EndpointDirectory } from '../../server/webhooks/endpoint-directory.js';
import { MemoryWebhookStore } from '../../server/webhooks/memory-webhook-store.js';
import type { StoredEndpoint } from '../../server/webhooks/webhook-store.js';

const endpoint = (id: string, realm: string, active = true): StoredEndpoint => ({
  id,
  realm,
  url: 'https://example.com/',
  events: [],
  topics: [],
  active,
  secrets: [],
  consecutiveFailures: 0,
  createdAt: 0,
  updatedAt: 0,
});

/** A store that counts its reads. */
class CountingStore extends MemoryWebhookStore {
  reads = 0;
  override async activeRealms(): Promise<string[]> {
    this.reads += 1;
    return super.activeRealms();
  }
  override async listEndpoints(realm: string): Promise<StoredEndpoint[]> {
    this.reads += 1;
    return super.listEndpoints(realm);
  }
}

describe('EndpointDirectory', () => {
  it('answers from its copy: realms without endpoints cost nothing once known', async () => {
    const store = new CountingStore();
    await store.insertEndpoint(endpoint('wh_a', 'busy'));
    await store.insertEndpoint(endpoint('wh_b', 'idle', false));
    let now = 0;
    const directory = new EndpointDirectory(store, 1000, () => now);
    expect(directory.mayHaveEndpoints('quiet')).toBe(true); // unknown yet: a refresh starts
    expect((await directory.active('busy')).map((e) => e.id)).toEqual(['wh_a']);
    expect(await directory.active('idle')).toEqual([]);
    const reads = store.reads;
    for (let n = 0; n < 100; n += 1) {
      expect(directory.mayHaveEndpoints(`quiet-${n}`)).toBe(false);
      expect(await directory.active(`quiet-${n}`)).toEqual([]);
    }
    expect(directory.mayHaveEndpoints('busy')).toBe(true);
    await directory.active('busy');
    expect(store.reads).toBe(reads);
    // Stale: it still answers from its copy while it asks the store again, and the fresh copy
    // shows an endpoint another node added meanwhile.
    await store.insertEndpoint(endpoint('wh_q', 'quiet'));
    now = 1001;
    expect(directory.mayHaveEndpoints('quiet')).toBe(false);
    await expect.poll(() => directory.mayHaveEndpoints('quiet')).toBe(true);
    expect(store.reads).toBeGreaterThan(reads);
  });

  it('sees a change made on this node at once, even with a load under way', async () => {
    const store = new MemoryWebhookStore();
    const directory = new EndpointDirectory(store, 60_000, () => 0);
    const before = directory.active('demo'); // in flight, predates the change
    await store.insertEndpoint(endpoint('wh_new', 'demo'));
    directory.invalidate('demo');
    expect((await directory.active('demo')).map((e) => e.id)).toEqual(['wh_new']);
    expect(await before).toEqual([]);
    expect(directory.mayHaveEndpoints('demo')).toBe(true);
  });
});
