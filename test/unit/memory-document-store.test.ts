import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../shared/index.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';

// The contract suite (test/contract) covers behaviour; this covers the memory store's own timer.
describe('MemoryDocumentStore sweep timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('removes expired documents every sweepIntervalMs, on an unref-ed timer cleared by close()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const store = new MemoryDocumentStore({ sweepIntervalMs: 1000 });
    expect(vi.getTimerCount()).toBe(1);
    await store.create('acme', 'notes', { id: 'a', data: {}, expiresAt: Date.now() + 500 });
    await store.create('acme', 'notes', { id: 'b', data: {} });

    vi.advanceTimersByTime(1000); // the sweep runs after the document expired
    expect(await store.sweepExpired()).toBe(0); // nothing left: the timer already removed it
    expect((await store.list('acme', 'notes')).items.map((d) => d.id)).toStrictEqual(['b']);

    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves expired documents to sweepExpired() when the timer is off', async () => {
    let now = 1_000_000;
    const store = new MemoryDocumentStore({ sweepIntervalMs: 0, now: () => now });
    await store.create('acme', 'notes', { id: 'a', data: {}, expiresAt: now + 10 });
    now += 10;
    expect(await store.sweepExpired()).toBe(1);
    await store.close();
  });

  it('validates its options at construction', () => {
    expect(() => new MemoryDocumentStore({ maxDocumentBytes: 0 })).toThrow(InvalidArgumentError);
    expect(() => new MemoryDocumentStore({ sweepIntervalMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new MemoryDocumentStore({ sweepIntervalMs: 1.5 })).toThrow(InvalidArgumentError);
  });
});
