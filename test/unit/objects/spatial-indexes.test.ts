import { describe, expect, it } from 'vitest';
import { compileShape } from '../../../server/objects/matching/compile-shape.js';
import { ObjectPositionIndex } from '../../../server/objects/matching/object-position-index.js';
import { SubscriptionBoxIndex } from '../../../server/objects/matching/subscription-box-index.js';

describe('SubscriptionBoxIndex', () => {
  it('finds the subscriptions whose boxes hold a point, and lists the unbounded ones', () => {
    const index = new SubscriptionBoxIndex();
    index.setBoxes('london', compileShape({ x1: -0.5, y1: 51.7, x2: 0.3, y2: 51.3 }).boxes);
    index.setBoxes('dateline', compileShape({ x1: 170, y1: 10, x2: -170, y2: -10 }).boxes);
    index.setUnbounded('everything');
    expect([...index.candidatesAt(-0.1, 51.5).boxed]).toEqual(['london']);
    expect([...index.candidatesAt(-175, 0).boxed]).toEqual(['dateline']);
    expect([...index.candidatesAt(175, 0).boxed]).toEqual(['dateline']);
    expect([...index.candidatesAt(0, 0).boxed]).toEqual([]);
    expect([...index.candidatesAt(0, 0).unbounded]).toEqual(['everything']);
  });

  it('finds small (grid) and large (R-tree) boxes alike, and forgets both', () => {
    const index = new SubscriptionBoxIndex();
    index.setBoxes('street', compileShape({ cx: 3.37, cy: 6.51, r: 300 }).boxes);
    index.setBoxes('city', compileShape({ cx: 3.37, cy: 6.51, r: 30_000 }).boxes);
    index.setBoxes('country', compileShape({ x1: 2.7, y1: 13.9, x2: 14.7, y2: 4.2 }).boxes);
    index.setBoxes('world', compileShape({ cx: 0, cy: 0, r: 20_037_509 }).boxes);
    expect([...index.candidatesAt(3.37, 6.51).boxed].sort()).toEqual(['city', 'country', 'street', 'world']);
    expect([...index.candidatesAt(3.5, 6.6).boxed].sort()).toEqual(['city', 'country', 'world']);
    expect([...index.candidatesAt(-100, -50).boxed]).toEqual(['world']);
    index.delete('street');
    index.delete('country');
    expect([...index.candidatesAt(3.37, 6.51).boxed].sort()).toEqual(['city', 'world']);
    index.delete('city');
    index.delete('world');
    expect(index.candidatesAt(3.37, 6.51).boxed.size).toBe(0);
  });

  it('finds boxes on cell edges and at the edges of the map', () => {
    const index = new SubscriptionBoxIndex();
    index.setBoxes('cell', [{ minX: 0.01, minY: 0.01, maxX: 0.02, maxY: 0.02 }]);
    index.setBoxes('corner', [{ minX: 179.99, minY: 89.99, maxX: 180, maxY: 90 }]);
    index.setBoxes('south-west', [{ minX: -180, minY: -90, maxX: -179.99, maxY: -89.99 }]);
    for (const [x, y] of [
      [0.01, 0.01],
      [0.02, 0.02],
      [0.015, 0.01],
      [0.01, 0.02],
    ] as const) {
      expect([...index.candidatesAt(x, y).boxed], `${x},${y}`).toEqual(['cell']);
    }
    expect([...index.candidatesAt(180, 90).boxed]).toEqual(['corner']);
    expect([...index.candidatesAt(-180, -90).boxed]).toEqual(['south-west']);
    expect(index.candidatesAt(0.0201, 0.015).boxed.size).toBe(0);
  });

  it('treats ±180 as one meridian', () => {
    const index = new SubscriptionBoxIndex();
    index.setBoxes('east', compileShape({ x1: 175, y1: 1, x2: 180, y2: -1 }).boxes);
    index.setBoxes('west', compileShape({ x1: -180, y1: 1, x2: -175, y2: -1 }).boxes);
    expect([...index.candidatesAt(-180, 0).boxed].sort()).toEqual(['east', 'west']);
    expect([...index.candidatesAt(180, 0).boxed].sort()).toEqual(['east', 'west']);
  });

  it('replaces and forgets a subscription', () => {
    const index = new SubscriptionBoxIndex();
    index.setBoxes('s', compileShape({ cx: 0, cy: 0, r: 1000 }).boxes);
    index.setBoxes('s', compileShape({ cx: 10, cy: 10, r: 1000 }).boxes);
    expect(index.candidatesAt(0, 0).boxed.size).toBe(0);
    expect([...index.candidatesAt(10, 10).boxed]).toEqual(['s']);
    index.setUnbounded('s');
    expect(index.candidatesAt(10, 10).boxed.size).toBe(0);
    expect([...index.unbounded]).toEqual(['s']);
    index.delete('s');
    expect(index.unbounded.size).toBe(0);
    index.delete('unknown');
  });
});

describe('ObjectPositionIndex', () => {
  it('answers the objects inside a region, exactly', () => {
    const index = new ObjectPositionIndex();
    index.set('centre', 0, 0);
    // Inside the circle's box, outside the circle.
    index.set('corner', 0.0089, 0.0089);
    index.set('far', 5, 5);
    expect(index.within(compileShape({ cx: 0, cy: 0, r: 1000 }))).toEqual(['centre']);
    index.set('far', 0.001, 0);
    expect(index.within(compileShape({ cx: 0, cy: 0, r: 1000 })).sort()).toEqual(['centre', 'far']);
    index.delete('far');
    expect(index.within(compileShape({ cx: 0, cy: 0, r: 1000 }))).toEqual(['centre']);
    expect(index.size).toBe(2);
  });

  it('finds objects on the antimeridian from either side, once', () => {
    const index = new ObjectPositionIndex();
    index.set('on-180', 180, 0);
    index.set('on-minus-180', -180, 0);
    expect(index.within(compileShape({ x1: -180, y1: 1, x2: -175, y2: -1 })).sort()).toEqual(['on-180', 'on-minus-180']);
    expect(index.within(compileShape({ x1: 175, y1: 1, x2: 180, y2: -1 })).sort()).toEqual(['on-180', 'on-minus-180']);
    expect(index.within(compileShape({ cx: 179.99, cy: 0, r: 5000 })).sort()).toEqual(['on-180', 'on-minus-180']);
  });
});
