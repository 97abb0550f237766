import type { ListenKind } from '../../shared/index.js';

/** The one connection that provides a stream, and the listen pattern it accepted it through. */
export interface StreamHolder {
  connectionId: string;
  pattern: string;
}

/** What {@link ProviderLocks.acquire} did. */
export type AcquireOutcome = 'acquired' | 'held' | 'refused';

/** A stream as the locks name it. */
export interface StreamRef {
  realm: string;
  kind: ListenKind;
  name: string;
}

/**
 * Who provides each listened stream, cluster-wide: one holder per (realm, kind, name). Each method
 * is one atomic step (a Lua script with Redis), so two listeners that accept the same stream at
 * once on two nodes cannot both hold it.
 *
 * @example
 * const locks: ProviderLocks = new MemoryProviderLocks();
 * await locks.acquire({ realm: 'demo', kind: 'topic', name: 'prices.eur' }, { connectionId: 'c1', pattern: 'prices.*' });
 */
export interface ProviderLocks {
  /** The stream's holder, if any. */
  holder(stream: StreamRef): Promise<StreamHolder | undefined>;
  /**
   * Takes the stream when nobody holds it: `acquired`; `held` when this connection holds it
   * already (two nodes offered it the same stream); `refused` when another connection does.
   */
  acquire(stream: StreamRef, holder: StreamHolder): Promise<AcquireOutcome>;
  /** Frees the stream when `connectionId` holds it; whether it did. */
  release(stream: StreamRef, connectionId: string): Promise<boolean>;
}
