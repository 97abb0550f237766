import { describe, expect, it } from 'vitest';
import { KeyedSerialQueue } from '../../server/presence/keyed-serial-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('KeyedSerialQueue', () => {
  it('runs the tasks of one key in order, each after the previous has settled', async () => {
    const queue = new KeyedSerialQueue();
    const log: string[] = [];
    const gate = deferred();
    const first = queue.run('k', async () => {
      log.push('first start');
      await gate.promise;
      log.push('first end');
      throw new Error('first failed');
    });
    const second = queue.run('k', async () => {
      log.push('second');
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(['first start']);
    gate.resolve();
    await expect(first).rejects.toThrow('first failed');
    await expect(second).resolves.toBe(2);
    expect(log).toEqual(['first start', 'first end', 'second']);
  });

  it('runs different keys independently, and idle() waits for everything', async () => {
    const queue = new KeyedSerialQueue();
    const gate = deferred();
    const log: string[] = [];
    void queue.run('slow', async () => {
      await gate.promise;
      log.push('slow');
    });
    await queue.run('fast', async () => {
      log.push('fast');
    });
    expect(log).toEqual(['fast']);
    const idle = queue.idle().then(() => log.push('idle'));
    gate.resolve();
    await idle;
    expect(log).toEqual(['fast', 'slow', 'idle']);
  });
});
