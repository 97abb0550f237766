import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenExpirySchedule } from '../../server/gateway/token-expiry-schedule.js';
import type { RealtimeSocket } from '../../server/socket-types.js';

/** The schedule only uses connections as keys: a named stand-in is enough. */
function connection(name: string): RealtimeSocket {
  return { id: name } as RealtimeSocket;
}

describe('TokenExpirySchedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each connection when its time comes, soonest first, equal times together', () => {
    const expired: string[] = [];
    const schedule = new TokenExpirySchedule((socket) => expired.push(socket.id));
    schedule.set(connection('c'), 1_000_300);
    schedule.set(connection('a'), 1_000_100);
    schedule.set(connection('b'), 1_000_100);
    expect(schedule.size).toBe(3);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired.sort()).toEqual(['a', 'b']);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(schedule.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves an expiry that is set again (a refresh), and forgets a deleted connection', () => {
    const expired: string[] = [];
    const schedule = new TokenExpirySchedule((socket) => expired.push(socket.id));
    const refreshed = connection('refreshed');
    const closed = connection('closed');
    schedule.set(refreshed, 1_000_100);
    schedule.set(closed, 1_000_100);
    schedule.set(refreshed, 1_000_500);
    schedule.delete(closed);
    vi.advanceTimersByTime(499);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['refreshed']);
  });

  it('expires at once a token that has expired already', () => {
    const expired: string[] = [];
    const schedule = new TokenExpirySchedule((socket) => expired.push(socket.id));
    schedule.set(connection('late'), 999_000);
    vi.advanceTimersByTime(0);
    expect(expired).toEqual(['late']);
  });

  it('waits past the longest setTimeout (about 24.8 days) by re-arming', () => {
    const expired: string[] = [];
    const schedule = new TokenExpirySchedule((socket) => expired.push(socket.id));
    const days30 = 30 * 24 * 3600 * 1000;
    schedule.set(connection('long'), 1_000_000 + days30);
    vi.advanceTimersByTime(days30 - 1);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['long']);
  });

  it('stays right while most of its slots are stale (rebuilt after many deletions and moves)', () => {
    const expired: string[] = [];
    const schedule = new TokenExpirySchedule((socket) => expired.push(socket.id));
    const sockets = Array.from({ length: 200 }, (_, index) => connection(`s${index}`));
    sockets.forEach((socket, index) => schedule.set(socket, 1_000_000 + 1000 + index));
    // Every socket moved twice, then all but every tenth closed.
    sockets.forEach((socket, index) => schedule.set(socket, 1_000_000 + 2000 + index));
    sockets.forEach((socket, index) => schedule.set(socket, 1_000_000 + 3000 - index));
    sockets.forEach((socket, index) => {
      if (index % 10 !== 0) schedule.delete(socket);
    });
    expect(schedule.size).toBe(20);
    vi.advanceTimersByTime(3000);
    expect(expired).toEqual(
      sockets
        .filter((_, index) => index % 10 === 0)
        .reverse()
        .map((socket) => socket.id),
    );
  });
});
