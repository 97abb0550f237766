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

async function startServer(): Promise<{ server: RealtimeServer; url: string }> {
  const server = createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    auth: { secret },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    documents: new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }),
  });
  const { url } = await server.listen();
  return { server, url };
}

describe('a server built from code with a MongoDocumentStore', () => {
  it('keeps documents across a restart', async () => {
    const token = await signToken({ sub: 'backend', secret, claims: { realm: 'demo', permissions: ['service'] } });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const first = await startServer();
    let created: { id: string; revision: number };
    try {
      const response = await fetch(`${first.url}/api/sync/notes/documents`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: 'kept', data: { text: 'still here' } }),
      });
      expect(response.status).toBe(201);
      created = (await response.json()) as { id: string; revision: number };
    } finally {
      await first.server.close();
    }

    const second = await startServer();
    try {
      const response = await fetch(`${second.url}/api/sync/notes/documents/kept`, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: 'kept', revision: created.revision, data: { text: 'still here' } });
    } finally {
      await second.server.close();
    }
  });
});
