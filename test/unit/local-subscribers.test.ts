import { describe, expect, it } from 'vitest';
import { LocalSubscribers } from '../../server/listening/local-subscribers.js';

const eur = { realm: 'demo', kind: 'topic' as const, name: 'prices.eur' };

describe('LocalSubscribers', () => {
  it("reports a connection's first and last subscription, and the node's first and last subscriber", () => {
    const local = new LocalSubscribers();
    expect(local.add(eur, 'c1')).toEqual({ connectionChanged: true, nodeChanged: true });
    expect(local.add(eur, 'c1')).toEqual({ connectionChanged: false, nodeChanged: false });
    expect(local.add(eur, 'c2')).toEqual({ connectionChanged: true, nodeChanged: false });
    expect(local.remove(eur, 'c1')).toEqual({ connectionChanged: false, nodeChanged: false });
    expect(local.remove(eur, 'c1')).toEqual({ connectionChanged: true, nodeChanged: false });
    expect(local.remove(eur, 'c1')).toBeUndefined();
    expect(local.remove(eur, 'c2')).toEqual({ connectionChanged: true, nodeChanged: true });
  });

  it("keeps realms apart and answers the streams a closed connection was the node's last subscriber of", () => {
    const local = new LocalSubscribers();
    const other = { ...eur, realm: 'other' };
    local.add(eur, 'c1');
    local.add(other, 'c1');
    local.add(other, 'c2');
    expect(local.removeConnection('c1')).toEqual([eur]);
    expect(local.removeConnection('c1')).toEqual([]);
    expect(local.add(eur, 'c3').nodeChanged).toBe(true);
  });
});
