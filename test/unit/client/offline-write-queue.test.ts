import { afterEach, describe, expect, it, vi } from 'vitest';
import { OfflineWriteQueue } from '../../../client/offline-write-queue.js';
import { ClientOfflineError, InvalidArgumentError, UnavailableError } from '../../../shared/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('OfflineWriteQueue', () => {
  it('sends the kept writes in order on flush and resolves each with its answer', async () => {
    const queue = new OfflineWriteQueue();
    const sent: number[] = [];
    const results = [1, 2, 3].map((n) => queue.hold(10, async () => (sent.push(n), n * 10)));
    expect(queue.size).toBe(3);
    queue.flush();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
    expect(sent).toEqual([1, 2, 3]);
    expect(queue.size).toBe(0);
  });

  it('refuses a write beyond maxEntries or maxBytes at once, and frees room on flush', async () => {
    const queue = new OfflineWriteQueue({ maxEntries: 2, maxBytes: 100 });
    void queue.hold(60, async () => 'a');
    await expect(queue.hold(50, async () => 'b')).rejects.toMatchObject({ code: 'CLIENT_OFFLINE', details: { limit: 'maxBytes' } });
    void queue.hold(40, async () => 'c');
    await expect(queue.hold(1, async () => 'd')).rejects.toBeInstanceOf(ClientOfflineError);
    queue.flush();
    const roomAgain = queue.hold(100, async () => 'e');
    queue.flush();
    await expect(roomAgain).resolves.toBe('e');
  });

  it('drops a write kept longer than maxAgeMs with CLIENT_OFFLINE, and its bytes with it', async () => {
    vi.useFakeTimers();
    const queue = new OfflineWriteQueue({ maxAgeMs: 1000, maxBytes: 100 });
    const send = vi.fn(async () => 'sent');
    const expired = queue.hold(100, send);
    vi.advanceTimersByTime(1000);
    await expect(expired).rejects.toMatchObject({ code: 'CLIENT_OFFLINE', details: { limit: 'maxAgeMs', maxAgeMs: 1000 } });
    expect(queue.size).toBe(0);
    const next = queue.hold(100, async () => 'next');
    queue.flush();
    await expect(next).resolves.toBe('next');
    expect(send).not.toHaveBeenCalled();
  });

  it('fails every kept write on destroy', async () => {
    const queue = new OfflineWriteQueue();
    const kept = queue.hold(1, async () => 'never');
    queue.destroy(new UnavailableError('destroyed'));
    await expect(kept).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('validates its bounds', () => {
    expect(() => new OfflineWriteQueue({ maxEntries: 0 })).toThrow(InvalidArgumentError);
    expect(() => new OfflineWriteQueue({ maxAgeMs: Infinity })).toThrow(/maxAgeMs/);
  });
});
