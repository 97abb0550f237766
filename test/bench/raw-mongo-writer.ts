import { MongoClient } from 'mongodb';
import { BENCH_REALM, SYNC_SERVICE } from './bench-event.js';
import { seededRandom } from './bench-socket.js';
import type { MongoLoadArgs, MongoPrepareArgs, WriteLoadResult } from './ipc-protocol.js';
import { documentId, HOT_DOCUMENT } from './sync-writer.js';
import { runWriteLoad } from './write-load.js';

/** A raw document, shaped like the platform's stored documents. */
interface RawDocument {
  _id: string;
  realm: string;
  service: string;
  id: string;
  revision: number;
  data: { n: number };
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Inserts the baseline's documents (hot + `d-*`) into their own collection.
 *
 * @example
 * await prepareRawDocuments({ url, dbName, collection: 'raw_bench', docCount: 1000 });
 */
export async function prepareRawDocuments(args: MongoPrepareArgs): Promise<{ created: number }> {
  const client = new MongoClient(args.url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const collection = client.db(args.dbName).collection<RawDocument>(args.collection);
    await collection.deleteMany({});
    // The same unique key the platform's collection has, so both look documents up the same way.
    await collection.createIndex({ realm: 1, service: 1, id: 1 }, { unique: true });
    const now = new Date();
    const ids = [HOT_DOCUMENT, ...Array.from({ length: args.docCount }, (_, i) => documentId(i))];
    const docs = ids.map((id) => ({ _id: id, realm: BENCH_REALM, service: SYNC_SERVICE, id, revision: 1, data: { n: 0 }, createdAt: now, updatedAt: now }));
    for (let i = 0; i < docs.length; i += 500) await collection.insertMany(docs.slice(i, i + 500));
    return { created: docs.length };
  } finally {
    await client.close();
  }
}

/**
 * The sync baseline: raw driver `updateOne` calls (`$inc` revision and `data.n`, `$set updatedAt`)
 * on the same server, with the same concurrency and document choice as the platform's load, found
 * by the same (realm, service, id) key: one round trip, no read, no compare-and-set, no event.
 *
 * @example
 * const result = await runRawMongoLoad({ url, dbName, collection, poolSize: 8, inflight: 16, pattern: 'hot', ... });
 */
export async function runRawMongoLoad(args: MongoLoadArgs): Promise<WriteLoadResult> {
  const client = new MongoClient(args.url, { serverSelectionTimeoutMS: 10_000, maxPoolSize: args.poolSize });
  try {
    await client.connect();
    const collection = client.db(args.dbName).collection<RawDocument>(args.collection);
    const random = seededRandom(args.seed);
    return await runWriteLoad({
      concurrency: args.inflight,
      warmupMs: args.warmupMs,
      durationMs: args.durationMs,
      write: async () => {
        const id = args.pattern === 'hot' ? HOT_DOCUMENT : documentId(Math.floor(random() * args.docCount));
        const result = await collection.updateOne(
          { realm: BENCH_REALM, service: SYNC_SERVICE, id },
          { $inc: { revision: 1, 'data.n': 1 }, $set: { updatedAt: new Date() } },
        );
        if (result.matchedCount !== 1) throw Object.assign(new Error(`no document ${id}`), { code: 'NOT_FOUND' });
      },
    });
  } finally {
    await client.close();
  }
}
