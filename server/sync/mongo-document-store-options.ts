import createDebug from 'debug';
import type { MongoClient, MongoClientOptions } from 'mongodb';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './document-operations.js';

const debug = createDebug('realtime:sync:mongo-document-store');

/**
 * A log line from a document store (e.g. the TTL fallback warning).
 *
 * @example
 * const logger: DocumentStoreLogger = ({ level, message, details }) => pino[level](details, message);
 */
export interface DocumentStoreLogEntry {
  level: 'warn' | 'error';
  message: string;
  details?: Record<string, unknown>;
}

/** Receives the store's log lines. */
export type DocumentStoreLogger = (entry: DocumentStoreLogEntry) => void;

/**
 * Options of {@link MongoDocumentStore}. Give `client` or `url`.
 *
 * @example
 * new MongoDocumentStore({ url: process.env.MONGODB_URL, dbName: 'realtime' });
 */
export interface MongoDocumentStoreOptions {
  /** A MongoClient to use; the store never closes it. */
  client?: MongoClient;
  /** A connection string; the store creates its own client and closes it on `close()`. */
  url?: string;
  /** Driver options for the store's own client (with `url`). @default { serverSelectionTimeoutMS: 5000 } */
  clientOptions?: MongoClientOptions;
  /** Database name. @default 'realtime' */
  dbName?: string;
  /** Collection name. @default 'sync_documents' */
  collectionName?: string;
  /** Largest document data, in bytes of its JSON form. @default 65536 */
  maxDocumentBytes?: number;
  /** Sweep interval in ms, used only where the server refuses TTL indexes; 0 disables. @default 60000 */
  sweepIntervalMs?: number;
  /** Attempts of a write without `expectedRevision` that keeps losing races. @default 100 */
  maxWriteAttempts?: number;
  /** Receives warnings. @default lines to the `realtime:sync:mongo-document-store` debug namespace */
  logger?: DocumentStoreLogger;
  /** The clock, Unix ms (a test seam; TTL deletion itself uses the server's clock). @default Date.now */
  now?: () => number;
}

/** The defaults of {@link MongoDocumentStoreOptions}. */
export const MONGO_DOCUMENT_STORE_DEFAULTS = {
  clientOptions: { serverSelectionTimeoutMS: 5000 },
  dbName: 'realtime',
  collectionName: 'sync_documents',
  maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
  sweepIntervalMs: 60_000,
  maxWriteAttempts: 100,
  logger: ({ level, message, details }: DocumentStoreLogEntry) => debug('%s: %s %O', level, message, details ?? {}),
  now: (): number => Date.now(),
} as const satisfies Required<Omit<MongoDocumentStoreOptions, 'client' | 'url'>>;
