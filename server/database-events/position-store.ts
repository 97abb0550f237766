import { NotFoundError } from '../../shared/index.js';
import type { DocumentStore } from '../sync/document-store.js';

/** Where positions live: the platform realm, a service no token reaches (see PLATFORM_DOCUMENTS). */
const REALM = '_platform';
const SERVICE = '_db_positions';

/**
 * The last position each database source published up to (a PostgreSQL commit LSN, a MongoDB
 * resume token), kept in the platform's document store so a restarted node neither repeats nor
 * skips changes. With the in-memory document store it lasts as long as the process; PostgreSQL's
 * slot (acknowledged only after publishing) then carries the position across restarts alone.
 *
 * @example
 * await positions.save('postgres:realtime_events', { commitLsn: '0/16B3748' });
 * await positions.load('postgres:realtime_events'); // { commitLsn: '0/16B3748' }
 */
export class PositionStore {
  constructor(private readonly documents: DocumentStore) {}

  async load(key: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.documents.get(REALM, SERVICE, documentId(key))).data;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async save(key: string, position: Record<string, unknown>): Promise<void> {
    const id = documentId(key);
    try {
      await this.documents.write(REALM, SERVICE, id, () => ({ data: position }));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      await this.documents.create(REALM, SERVICE, { id, data: position });
    }
  }
}

/** Document ids allow letters, digits, `_`, `-` and `.`: other characters of a key are escaped. */
function documentId(key: string): string {
  return key.replace(/[^A-Za-z0-9_.-]/g, (char) => `-${char.charCodeAt(0).toString(16)}-`);
}
