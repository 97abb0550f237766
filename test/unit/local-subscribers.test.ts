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

  it('counts right through a stream going from one subscribing connection to several and back, and a connection to many streams', () => {
    const local = new LocalSubscribers();
    const usd = { ...eur, name: 'prices.usd' };
    const gbp = { ...eur, name: 'prices.gbp' };
    expect(local.add(eur, 'c1')).toEqual({ connectionChanged: true, nodeChanged: true });
    expect(local.add(eur, 'c1')).toEqual({ connectionChanged: false, nodeChanged: false });
    expect(local.add(eur, 'c2')).toEqual({ connectionChanged: true, nodeChanged: false });
    expect(local.add(usd, 'c1').nodeChanged).toBe(true);
    expect(local.add(gbp, 'c1').nodeChanged).toBe(true);
    expect(local.remove(eur, 'c2')).toEqual({ connectionChanged: true, nodeChanged: false });
    expect(local.remove(eur, 'c2')).toBeUndefined();
    expect(local.remove(eur, 'c1')).toEqual({ connectionChanged: false, nodeChanged: false });
    expect(local.remove(usd, 'c1')).toEqual({ connectionChanged: true, nodeChanged: true });
    expect(local.add(eur, 'c3')).toEqual({ connectionChanged: true, nodeChanged: false });
    // c1 still holds eur (once) and gbp; eur keeps c3.
    expect(local.removeConnection('c1')).toEqual([gbp]);
    expect(local.remove(usd, 'c1')).toBeUndefined();
    expect(local.remove(eur, 'c3')).toEqual({ connectionChanged: true, nodeChanged: true });
    expect(local.add(usd, 'c1')).toEqual({ connectionChanged: true, nodeChanged: true });
  });
});
