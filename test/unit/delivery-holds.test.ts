import { describe, expect, it } from 'vitest';
import { DeliveryHolds } from '../../server/events/delivery-holds.js';

interface Frame {
  n: number;
  offset?: string;
}

const frame = (n: number): Frame => ({ n, offset: `${n}-0` });
const holds = () => new DeliveryHolds<Frame>((f) => f.offset);

describe('DeliveryHolds', () => {
  it('keeps live frames of a held stream and releases those the replay did not send, in arrival order', () => {
    const h = holds();
    h.acquire('s1', 'room:a');
    expect(h.active).toBe(true);
    expect(h.offer('s1', 'room:a', frame(3))).toBe(true);
    expect(h.offer('s1', 'room:a', frame(4))).toBe(true);
    expect(h.markSent('s1', 'room:a', frame(3))).toBe(true);
    expect(h.markSent('s1', 'room:a', frame(3))).toBe(false);
    expect(h.release('s1', 'room:a').map((f) => f.n)).toEqual([4]);
    expect(h.active).toBe(false);
  });

  it('holds one connection and stream only: other connections and streams are not held', () => {
    const h = holds();
    h.acquire('s1', 'room:a');
    expect(h.offer('s2', 'room:a', frame(1))).toBe(false);
    expect(h.offer('s1', 'room:b', frame(1))).toBe(false);
    expect([...h.holders('room:a')]).toEqual(['s1']);
    expect([...h.holders('room:b')]).toEqual([]);
  });

  it('releases only when the last nested hold ends, and drops frames at or before the position given', () => {
    const h = holds();
    h.acquire('s1', 'room:a');
    h.acquire('s1', 'room:a');
    h.offer('s1', 'room:a', frame(2));
    h.offer('s1', 'room:a', frame(5));
    h.offer('s1', 'room:a', { n: 9 });
    expect(h.release('s1', 'room:a')).toEqual([]);
    expect(h.release('s1', 'room:a', '2-0').map((f) => f.n)).toEqual([5, 9]);
  });

  it('forgets every hold of a dropped connection', () => {
    const h = holds();
    h.acquire('s1', 'room:a');
    h.acquire('s1', 'room:b');
    h.acquire('s2', 'room:a');
    h.dropSocket('s1');
    expect([...h.holders('room:a')]).toEqual(['s2']);
    expect([...h.holders('room:b')]).toEqual([]);
    expect(h.release('s1', 'room:a')).toEqual([]);
  });
});
