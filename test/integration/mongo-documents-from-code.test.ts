import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRealtimeServer, MongoDocumentStore, signToken, type RealtimeServer } from '../../server/index.js';
import { startMongo } from '../support/mongodb.js';

/**
 * A server built from code (not the CLI) with the exported `MongoDocumentStore` keeps its sync
 * documents in MongoDB: a document written through one server is read back through a new one.
 * Runs on `MONGODB_URL`, a local `mongod`, or FerretDB (built on first use).
 */
const mongo = await startMongo();
const secret = randomBytes(32).toString('base64url');
afterAll(() => mongo.stop());

type Storage = 'MongoDocumentStore' | 'mongodb option';

async function startServer(storage: Storage): Promise<{ server: RealtimeServer; url: string }> {
  const server = createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    auth: { secret },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    // The `mongodb` option is what the CLI passes for MONGODB_URL: the server builds the store.
    ...(storage === 'mongodb option'
      ? { mongodb: { url: mongo.url, dbName: mongo.dbName } }
      : { documents: new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }) }),
  });
  const { url } = await server.listen();
  return { server, url };
}

describe.each<Storage>(['MongoDocumentStore', 'mongodb option'])('a server built from code with a %s', (storage) => {
  it('keeps documents across a restart', async () => {
    const docId = storage === 'mongodb option' ? 'kept-by-option' : 'kept';
    const token = await signToken({ sub: 'backend', secret, claims: { realm: 'demo', permissions: ['service'] } });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const first = await startServer(storage);
    let created: { id: string; revision: number };
    try {
      const response = await fetch(`${first.url}/api/sync/notes/documents`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: docId, data: { text: 'still here' } }),
      });
      expect(response.status).toBe(201);
      created = (await response.json()) as { id: string; revision: number };
    } finally {
      await first.server.close();
    }

    const second = await startServer(storage);
    try {
      const response = await fetch(`${second.url}/api/sync/notes/documents/${docId}`, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: docId, revision: created.revision, data: { text: 'still here' } });
    } finally {
      await second.server.close();
    }
  });
});
