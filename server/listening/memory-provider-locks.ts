import type { AcquireOutcome, ProviderLocks, StreamHolder, StreamRef } from './provider-locks.js';

/**
 * The in-process {@link ProviderLocks}, for a server without Redis. An entry lives while a
 * provider holds a stream, so there are never more than the streams somebody subscribes to.
 *
 * @example
 * const locks = new MemoryProviderLocks();
 */
export class MemoryProviderLocks implements ProviderLocks {
  private readonly holders = new Map<string, StreamHolder>();

  async holder(stream: StreamRef): Promise<StreamHolder | undefined> {
    const found = this.holders.get(keyOf(stream));
    return found === undefined ? undefined : { ...found };
  }

  async acquire(stream: StreamRef, holder: StreamHolder): Promise<AcquireOutcome> {
    const key = keyOf(stream);
    const current = this.holders.get(key);
    if (current !== undefined) return current.connectionId === holder.connectionId ? 'held' : 'refused';
    this.holders.set(key, { ...holder });
    return 'acquired';
  }

  async release(stream: StreamRef, connectionId: string): Promise<boolean> {
    const key = keyOf(stream);
    if (this.holders.get(key)?.connectionId !== connectionId) return false;
    this.holders.delete(key);
    return true;
  }
}

function keyOf({ realm, kind, name }: StreamRef): string {
  return `${realm}\u0000${kind}\u0000${name}`;
}
