import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyPresence, LiveResourceCache, useRealtime, type Membership } from '../../../../client/react/index.js';
import type { PresenceMember } from '../../../../shared/index.js';

/** A source that counts how often it was started and stopped, and lets the test push values. */
function countingSource() {
  const counts = { started: 0, stopped: 0 };
  let push: ((value: number) => void) | undefined;
  const start = (sink: { next(value: number): void }) => {
    counts.started += 1;
    push = (value) => sink.next(value);
    return () => {
      counts.stopped += 1;
    };
  };
  return { counts, start, push: (value: number) => push?.(value) };
}

describe('LiveResource', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts once for many subscribers and stops when the last leaves, after the current turn', () => {
    const cache = new LiveResourceCache();
    const source = countingSource();
    const resource = cache.get('k', source.start);
    const offA = resource.subscribe(() => {});
    const offB = cache.get('k', source.start).subscribe(() => {});
    expect(source.counts).toEqual({ started: 1, stopped: 0 });
    offA();
    offB();
    expect(source.counts.stopped).toBe(0);
    vi.runAllTimers();
    expect(source.counts).toEqual({ started: 1, stopped: 1 });
    expect(cache.size).toBe(0);
    // A stopped resource is not reused: the next component gets a fresh one.
    expect(cache.get('k', source.start)).not.toBe(resource);
  });

  it('survives a StrictMode-style unsubscribe and resubscribe without stopping', () => {
    const source = countingSource();
    const resource = new LiveResourceCache().get('k', source.start);
    resource.subscribe(() => {})();
    resource.subscribe(() => {});
    vi.runAllTimers();
    expect(source.counts).toEqual({ started: 1, stopped: 0 });
  });

  it('gives Suspense one cached promise that resolves with the first value, and stops unclaimed resources', async () => {
    const cache = new LiveResourceCache({ unclaimedTimeoutMs: 1000 });
    const source = countingSource();
    const resource = cache.get<number>('k', source.start);
    const promise = resource.promise();
    expect(resource.promise()).toBe(promise);
    expect(source.counts.started).toBe(1);
    source.push(7);
    await promise;
    expect(resource.getSnapshot()).toEqual({ status: 'success', data: 7, error: undefined });
    vi.advanceTimersByTime(1000);
    expect(source.counts.stopped).toBe(1);
  });

  it('keeps the same snapshot object until something changes, and reports a start that throws as an error', () => {
    const cache = new LiveResourceCache();
    const source = countingSource();
    const resource = cache.get<number>('k', source.start);
    resource.subscribe(() => {});
    const before = resource.getSnapshot();
    expect(resource.getSnapshot()).toBe(before);
    source.push(1);
    expect(resource.getSnapshot()).not.toBe(before);

    const failing = cache.get<number>('bad', () => {
      throw new Error('boom');
    });
    failing.subscribe(() => {});
    expect(failing.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'INTERNAL' } });
  });
});

describe('applyPresence', () => {
  const member = (connectionId: string, state: Record<string, string> = {}): PresenceMember => ({ userId: connectionId, connectionId, joinedAt: 1, state });
  const base: Membership = { members: [member('a')], self: member('a'), presence: true };

  it('adds a join once per connection, replaces an update in place, removes a leave', () => {
    const joined = applyPresence(base, { realm: 'r', channel: 'c', type: 'join', member: member('b'), userJoined: true });
    expect(applyPresence(joined, { realm: 'r', channel: 'c', type: 'join', member: member('b'), userJoined: false }).members).toHaveLength(2);
    const updated = applyPresence(joined, { realm: 'r', channel: 'c', type: 'update', member: member('b', { status: 'away' }) });
    expect(updated.members.map((m) => m.state)).toEqual([{}, { status: 'away' }]);
    const left = applyPresence(updated, { realm: 'r', channel: 'c', type: 'leave', member: member('a'), userLeft: true, reason: 'left' });
    expect(left.members.map((m) => m.connectionId)).toEqual(['b']);
  });
});

describe('hooks outside a RealtimeProvider', () => {
  it('throw a typed INVALID_ARGUMENT error naming the provider', () => {
    const Orphan = (): null => {
      useRealtime();
      return null;
    };
    expect(() => renderToString(createElement(Orphan))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('RealtimeProvider') }),
    );
  });
});
