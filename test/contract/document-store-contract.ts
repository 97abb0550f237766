import { afterEach, beforeEach, describe } from 'vitest';
import type { DocumentStore } from '../../server/sync/document-store.js';
import { describeCreateAndRead } from './document-store-contract-reads.js';
import { describeExpiryAndConcurrency } from './document-store-contract-expiry.js';
import { TestClock, uniqueRealm, type ContractContext, type DocumentStoreTarget } from './document-store-contract-support.js';
import { describeWrites } from './document-store-contract-writes.js';

export type { DocumentStoreTarget, TargetStoreOptions } from './document-store-contract-support.js';

/**
 * Registers the contract suite for one target.
 *
 * @example
 * describeDocumentStoreContract(memoryTarget);
 */
export function describeDocumentStoreContract(target: DocumentStoreTarget): void {
  describe(`DocumentStore contract: ${target.name}`, () => {
    const opened: DocumentStore[] = [];
    const context = {
      target,
      clock: new TestClock(),
      realm: '',
      async open(options: { maxDocumentBytes?: number } = {}): Promise<DocumentStore> {
        const store = await target.createStore({ now: context.clock.now, ...options });
        opened.push(store);
        return store;
      },
    } as ContractContext;

    beforeEach(async () => {
      context.clock = new TestClock();
      context.realm = uniqueRealm();
      context.store = await context.open();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describeCreateAndRead(context);
    describeWrites(context);
    describeExpiryAndConcurrency(context);
  });
}
