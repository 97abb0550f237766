import { useCallback } from 'react';
import { RECORD_SERVICE, recordDocumentId, type RealtimeError, type SyncDocument, type SyncWriteResult } from '../../shared/index.js';
import type { LiveSink, LiveStatus } from './live-resource.js';
import { useRealtimeContext } from './realtime-provider.js';
import { watchDocument } from './use-document.js';
import { useLiveResource } from './use-live-resource.js';
import type { RealtimeClient } from '../realtime-client.js';

/** Options of {@link useRecord}. */
export interface UseRecordOptions {
  /** @default the client's realm */
  realm?: string;
  /** Suspend until the first read answers; errors go to the nearest error boundary. @default false */
  suspense?: boolean;
  /** `false` follows nothing. @default true */
  enabled?: boolean;
}

/** A record as {@link useRecord} keeps it. */
export interface RecordState {
  /** The record's data; `{}` while the record does not exist (deepstream's empty record). */
  data: Record<string, unknown>;
  /** The record's version (its document's revision): `0` while it does not exist. */
  version: number;
  /** Whether a record listener provides it (`client.listening`), as the server last said. */
  hasProvider: boolean;
}

/** What {@link useRecord} returns. */
export interface UseRecordResult {
  /** `undefined` while loading. */
  record: RecordState | undefined;
  status: LiveStatus;
  error: RealtimeError | undefined;
  /**
   * Writes the whole data over the version shown (compare-and-set: `CONFLICT` when someone wrote
   * first, unless a merge strategy resolves it; see "Merge strategies").
   */
  set(data: Record<string, unknown>): Promise<SyncWriteResult>;
}

/**
 * A live deepstream-style record (`records/<encoded name>`, see "Records are sync documents"):
 * follows it (`client.records.subscribe`, so record listeners are offered it) and watches its
 * document while mounted; both stop when the last component using it unmounts.
 *
 * @example
 * const { record, set } = useRecord('user/lisa');
 * return <input value={String(record?.data.name ?? '')} onChange={(e) => set({ ...record?.data, name: e.target.value })} />;
 */
export function useRecord(name: string, options: UseRecordOptions = {}): UseRecordResult {
  const { client, resources } = useRealtimeContext();
  const realm = options.realm ?? client.realmId;
  const start = useCallback((sink: LiveSink<RecordState>) => followRecord(client, realm, name, sink), [client, realm, name]);
  const resource = options.enabled === false ? undefined : resources.get(`record\u0000${realm}\u0000${name}`, start);
  const { status, data, error } = useLiveResource(resource, options.suspense === true);
  const version = data?.version;
  const set = useCallback(
    (next: Record<string, unknown>) => {
      const sync = realm === client.realmId ? client.sync : client.realm(realm).sync;
      return sync.save(RECORD_SERVICE, recordDocumentId(name), next, version ?? 0);
    },
    [client, realm, name, version],
  );
  return { record: data, status, error, set };
}

function followRecord(client: RealtimeClient, realm: string, name: string, sink: LiveSink<RecordState>): () => void {
  let stopped = false;
  let hasProvider = false;
  const toState = (document: SyncDocument | null): RecordState =>
    document === null || document.deleted === true
      ? { data: {}, version: document?.revision ?? 0, hasProvider }
      : { data: document.data, version: document.revision, hasProvider };
  // The watch keeps its own latest document, so versions never go backwards.
  let latest: SyncDocument | null | undefined;
  const documentSink: LiveSink<SyncDocument | null> = {
    next: (document) => {
      latest = document;
      sink.next(toState(document));
    },
    update: (fn) => documentSink.next(fn(latest)),
    patch: (fn) => {
      if (latest !== undefined) documentSink.next(fn(latest));
    },
    error: (err) => sink.error(err),
  };
  const stopWatching = watchDocument(client, realm, RECORD_SERVICE, recordDocumentId(name), documentSink);
  const setProvider = (value: boolean): void => {
    hasProvider = value;
    sink.patch((current) => ({ ...current, hasProvider: value }));
  };
  client.records.subscribe(name, { realm }).then(
    (answer) => {
      if (!stopped) setProvider(answer.hasProvider);
    },
    (err: unknown) => {
      if (!stopped) sink.error(err);
    },
  );
  const offProvider = client.listening.onProviderChanged((change) => {
    if (change.kind === 'record' && change.realm === realm && change.name === name) setProvider(change.hasProvider);
  });
  return () => {
    stopped = true;
    stopWatching();
    offProvider();
    client.records.unsubscribe(name, { realm }).catch(() => {});
  };
}
