import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameFlusher } from '../../server/wire/frame-flusher.js';
import { LoadWindow } from '../../server/wire/load-window.js';
import { fakeLoad } from '../support/fake-load.js';

/** Lets the current run of JavaScript end (the flusher forgets its decision then). */
const endOfRun = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** A flusher on a fake clock whose loop has been idle so far (window: the turn). */
function idleFlusher(): FrameFlusher {
  return new FrameFlusher(new LoadWindow(20, fakeLoad()));
}

/** A flusher on a fake clock whose loop has been fully busy since the start (window: the whole 20 ms). */
function busyFlusher(): { flusher: FrameFlusher; load: ReturnType<typeof fakeLoad> } {
  const load = fakeLoad();
  const window = new LoadWindow(20, load);
  window.current();
  load.advance(200, 1);
  return { flusher: new FrameFlusher(window), load };
}

/** A connection's transport that records when it is flushed. */
function transport(name: string, flushed: string[]): { flushQueued(): void } {
  return { flushQueued: () => flushed.push(name) };
}

describe('FrameFlusher (write at once, or wait for more)', () => {
  beforeEach(() => {
    // The flusher's timers, so a wait is read in the fake clock's ms; process.nextTick stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes at once while the server has time to spare', async () => {
    const flusher = idleFlusher();
    expect(flusher.writesAtOnce()).toBe(true);
    await endOfRun();
    // Just after the last send, with no window to wait for.
    expect(flusher.writesAtOnce()).toBe(true);
  });

  it('on a busy server writes a lone event at once, and lets one close behind another wait', async () => {
    const { flusher, load } = busyFlusher();
    // Nothing sent within the window before it: waiting would gather nothing.
    expect(flusher.writesAtOnce()).toBe(true);
    await endOfRun();
    load.advance(5, 1);
    expect(flusher.writesAtOnce()).toBe(false);
  });

  it('decides once per run of JavaScript, so every member of a broadcast does the same', async () => {
    const { flusher, load } = busyFlusher();
    expect(flusher.writesAtOnce()).toBe(true);
    load.advance(1, 1);
    expect(flusher.writesAtOnce()).toBe(true);
    await endOfRun();
    expect(flusher.writesAtOnce()).toBe(false);
    expect(flusher.writesAtOnce()).toBe(false);
  });

  it('flushes a window after the last send, and everything sent meanwhile joins that flush', async () => {
    const { flusher, load } = busyFlusher();
    const flushed: string[] = [];
    expect(flusher.writesAtOnce()).toBe(true);
    await endOfRun();
    load.advance(5, 1);
    expect(flusher.writesAtOnce()).toBe(false);
    flusher.add(transport('a', flushed));
    await endOfRun();
    expect(flusher.writesAtOnce()).toBe(false);
    flusher.add(transport('b', flushed));

    vi.advanceTimersByTime(14);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual(['a', 'b']);
  });

  it('after a flush, an event close behind it waits too (a busy stream keeps batching)', async () => {
    const { flusher, load } = busyFlusher();
    const flushed: string[] = [];
    flusher.add(transport('a', flushed));
    vi.runOnlyPendingTimers();
    expect(flushed).toEqual(['a']);
    load.advance(2, 1);
    expect(flusher.writesAtOnce()).toBe(false);
  });

  it('ends the window with the turn when the server has time to spare', async () => {
    const flusher = idleFlusher();
    const flushed: string[] = [];
    flusher.add(transport('a', flushed));
    expect(flushed).toEqual([]);
    vi.advanceTimersToNextTimer();
    expect(flushed).toEqual(['a']);
  });
});
