import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../../server/objects/memory-object-store.js';
import type { ObjectBus } from '../../../server/objects/object-bus.js';
import { resolveObjectLimits } from '../../../server/objects/object-limits.js';
import { ObjectService } from '../../../server/objects/object-service.js';
import type { StoredObject } from '../../../server/objects/object-store.js';

/**
 * The embedded store, with reads that take a turn of the event loop as a database read does: two
 * services (two nodes) sharing it then interleave their read-merge-writes the way two nodes on
 * MongoDB do, which the store's compare-and-set must survive.
 */
class StoreWithSlowReads extends MemoryObjectStore {
  override async getObject(realm: string, id: string): Promise<StoredObject | undefined> {
    const found = await super.getObject(realm, id);
    await new Promise((resolve) => setImmediate(resolve));
    return found;
  }
}

/** Two nodes: two services over one store (the bus carries nothing here: only the writes matter). */
function twoNodes() {
  const store = new StoreWithSlowReads();
  const bus = { publish: () => {} } as unknown as ObjectBus;
  const node = () => new ObjectService({ store, bus, limits: resolveObjectLimits(), statusOf: async () => 'disconnected' });
  return { store, nodes: [node(), node()] as const };
}

describe('object writes on two nodes sharing one store', () => {
  it('keep every data key when both merge into one object at once', async () => {
    const { nodes } = twoNodes();
    await nodes[0].writeObject('r', { id: 'shared', data: {} }, 'create');
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key, i) => nodes[i % 2]!.writeObject('r', { id: 'shared', data: { [key]: i } }, 'update')));
    const object = await nodes[1].getObject('r', 'shared');
    expect(Object.keys(object.data).sort()).toEqual([...keys].sort());
  });

  it('create an object once when both set it for the first time at once, and keep both writes', async () => {
    const { nodes } = twoNodes();
    await Promise.all([nodes[0].writeObject('r', { id: 'fresh', data: { a: 1 } }, 'set'), nodes[1].writeObject('r', { id: 'fresh', data: { b: 2 } }, 'set')]);
    expect((await nodes[0].getObject('r', 'fresh')).data).toEqual({ a: 1, b: 2 });
  });

  it('let only one of two concurrent creates succeed', async () => {
    const { nodes } = twoNodes();
    const outcomes = await Promise.allSettled([
      nodes[0].writeObject('r', { id: 'once', label: 'first' }, 'create'),
      nodes[1].writeObject('r', { id: 'once', label: 'second' }, 'create'),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
  });
});
