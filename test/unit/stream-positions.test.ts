import { describe, expect, it } from 'vitest';
import { StreamPositions } from '../../client/stream-positions.js';
import { compareOffsets, type RealtimeEvent } from '../../shared/index.js';

function event(topic: string, offset: string, epoch = 'e1', realm = 'demo'): RealtimeEvent {
  return { id: offset, topic, source: 'api', type: 't', payload: {}, metadata: { timestamp: 0, realm, epoch, offset } };
}

describe('compareOffsets', () => {
  it('orders by milliseconds, then sequence, numerically', () => {
    expect(compareOffsets('0-9', '0-10')).toBeLessThan(0);
    expect(compareOffsets('0-10', '0-9')).toBeGreaterThan(0);
    expect(compareOffsets('2-0', '10-0')).toBeLessThan(0);
    expect(compareOffsets('0-007', '0-7')).toBe(0);
    expect(compareOffsets('99999999999999999999-1', '99999999999999999999-2')).toBeLessThan(0);
  });
});

describe('StreamPositions', () => {
  it('keeps the latest position per realm and topic', () => {
    const positions = new StreamPositions();
    positions.noteEvent(event('a.b', '0-2'));
    positions.noteEvent(event('a.b', '0-1'));
    positions.noteEvent(event('a.b', '0-7', 'e1', 'other'));
    expect(positions.get('demo', 'a.b')).toEqual({ epoch: 'e1', offset: '0-2' });
    expect(positions.get('other', 'a.b')).toEqual({ epoch: 'e1', offset: '0-7' });
    expect(positions.get('demo', 'c.d')).toBeUndefined();
  });

  it('recognises a duplicate but accepts a late event that is not one', () => {
    const positions = new StreamPositions();
    expect(positions.noteEvent(event('a.b', '0-2'))).toBe(true);
    expect(positions.noteEvent(event('a.b', '0-1'))).toBe(true);
    expect(positions.noteEvent(event('a.b', '0-2'))).toBe(false);
    expect(positions.noteEvent(event('x.y', '0-2'))).toBe(true);
  });

  it('starts over when the epoch changes', () => {
    const positions = new StreamPositions();
    positions.noteEvent(event('a.b', '0-5'));
    positions.note('demo', 'a.b', { epoch: 'e2', offset: '0-0' });
    expect(positions.get('demo', 'a.b')).toEqual({ epoch: 'e2', offset: '0-0' });
    expect(positions.noteEvent(event('a.b', '0-5', 'e2'))).toBe(true);
  });

  it('passes events without a position through', () => {
    const positions = new StreamPositions();
    const plain = event('a.b', '0-1');
    delete plain.metadata.offset;
    expect(positions.noteEvent(plain)).toBe(true);
    expect(positions.noteEvent(plain)).toBe(true);
  });
});
