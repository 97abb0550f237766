import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ErrorCode, RealtimeError } from '../../shared/index.js';
import type { DocumentStore } from '../../server/sync/document-store.js';

/**
 * The one `DocumentStore` contract suite, run against every store (the way socket.io's redis
 * adapter runs one suite against each backend). A target says how to open a store and what its
 * backend can do; the suite does the rest.
 *
 * @example
 * describeDocumentStoreContract({
 *   name: 'memory',
 *   atomicConditionalUpdates: true,
 *   createStore: async (options) => new MemoryDocumentStore(options),
 * });
 */
export interface DocumentStoreTarget {
  name: string;
  /**
   * Whether the backend applies a conditional update atomically. MongoDB and the memory store do;
   * FerretDB does not (an update is a read, then a write by `_id`: FerretDB issue #3040), so the
   * concurrency cases cannot pass there and are not run against it.
   */
  atomicConditionalUpdates: boolean;
  /** Opens a new, empty store. The suite closes it after the test. */
  createStore(options: TargetStoreOptions): Promise<DocumentStore>;
}

/** What the suite asks of a store it opens. */
export interface TargetStoreOptions {
  now: () => number;
  maxDocumentBytes?: number;
}

/** A clock the tests move by hand. It starts at the real time (MongoDB's TTL uses the real one). */
export class TestClock {
  time = Date.now();
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** What every part of the suite works with; fields are renewed before each test. */
export interface ContractContext {
  readonly target: DocumentStoreTarget;
  /** The store of the current test (default options). */
  store: DocumentStore;
  /** The clock of the current test's stores. */
  clock: TestClock;
  /** A realm of the current test's own. */
  realm: string;
  /** Opens another store for this test (closed after it). */
  open(options?: { maxDocumentBytes?: number }): Promise<DocumentStore>;
}

/**
 * A realm name no other test uses (stores may share a database).
 *
 * @example
 * const realm = uniqueRealm(); // 'r_3f9a1c2e4b'
 */
export function uniqueRealm(): string {
  return `r_${randomBytes(5).toString('hex')}`;
}

/**
 * Awaits a promise that must reject with a `RealtimeError` of the given class and code; returns it.
 *
 * @example
 * const err = await expectRejection(store.get('r', 's', 'x'), NotFoundError, 'NOT_FOUND');
 */
export async function expectRejection<T extends RealtimeError>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => T,
  code: ErrorCode,
): Promise<T> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error(`expected a ${errorClass.name} (${code}), but it resolved`);
  expect(outcome.error).toBeInstanceOf(errorClass);
  const error = outcome.error as T;
  expect(error.code).toBe(code);
  return error;
}
