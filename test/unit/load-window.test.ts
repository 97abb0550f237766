import { describe, expect, it } from 'vitest';
import { LoadWindow } from '../../server/wire/load-window.js';
import { fakeLoad } from '../support/fake-load.js';

describe('LoadWindow (how long batched frames wait while the server is busy)', () => {
  it('waits nothing at first, and while the loop is at most 70% busy', () => {
    const load = fakeLoad();
    const window = new LoadWindow(20, load);
    expect(window.current()).toBe(0);
    load.advance(200, 0.7);
    expect(window.current()).toBe(0);
  });

  it('grows with the utilisation above 70%, to the whole busy window at 95%', () => {
    const load = fakeLoad();
    const window = new LoadWindow(20, load);
    window.current();
    load.advance(200, 0.825);
    expect(window.current()).toBe(10);
    load.advance(200, 0.95);
    expect(window.current()).toBe(20);
    load.advance(200, 0.1);
    expect(window.current()).toBe(0);
  });

  it('reads the loop again only after 100 ms (what it read over the last interval holds until then)', () => {
    const load = fakeLoad();
    const window = new LoadWindow(20, load);
    window.current();
    load.advance(150, 1);
    expect(window.current()).toBe(20);
    load.advance(50, 0);
    expect(window.current()).toBe(20);
    load.advance(60, 0);
    expect(window.current()).toBe(0);
  });

  it('with a busy window of 0 always ends with the turn', () => {
    const load = fakeLoad();
    const window = new LoadWindow(0, load);
    load.advance(200, 1);
    expect(window.current()).toBe(0);
  });
});
