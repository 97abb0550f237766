import type { ListenKind } from '../../shared/index.js';

/** The one connection that provides a stream, and the listen pattern it accepted it through. */
export interface StreamHolder {
  connectionId: string;
  pattern: string;
}

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
  /** Takes the stream when nobody holds it (or this connection already does); whether it holds it now. */
  acquire(stream: StreamRef, holder: StreamHolder): Promise<boolean>;
  /** Frees the stream when `connectionId` holds it; whether it did. */
  release(stream: StreamRef, connectionId: string): Promise<boolean>;
}
