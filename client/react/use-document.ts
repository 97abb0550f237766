import { useCallback } from 'react';
import { NotFoundError, type SyncDocument } from '../../shared/index.js';
import type { RealtimeClient } from '../realtime-client.js';
import type { LiveSink, LiveStatus } from './live-resource.js';
import type { RealtimeError } from '../../shared/index.js';
import { useRealtimeContext } from './realtime-provider.js';
import { useLiveResource } from './use-live-resource.js';

/** Options of {@link useDocument}. */
export interface UseDocumentOptions {
  /** @default the client's realm */
  realm?: string;
  /** Suspend until the first read answers; errors go to the nearest error boundary. @default false */
  suspense?: boolean;
  /** `false` subscribes to nothing (status stays `'loading'`). @default true */
  enabled?: boolean;
}

/** What {@link useDocument} returns. */
export interface UseDocumentResult {
  /** The latest revision; `null` while the document does not exist; `undefined` while loading. */
  data: SyncDocument | null | undefined;
  status: LiveStatus;
  error: RealtimeError | undefined;
  /** The revision to pass to a compare-and-set write (`0` while the document does not exist). */
  revision: number;
}

/** {@link UseDocumentResult} in Suspense mode: never loading. */
export interface UseSuspenseDocumentResult extends UseDocumentResult {
  data: SyncDocument | null;
  status: 'success' | 'error';
}

/**
 * A live sync document: the current revision first, then every newer one (`client.sync.subscribe`),
 * shared by every component watching the same document; the watch stops when the last of them
 * unmounts. A document that does not exist yet is `null` and appears when it is created.
 * Writes go through `client.sync` (`revision` is the one to compare against).
 *
 * @example
 * const { data, status, revision } = useDocument('notes', 'shared');
 * const { data } = useDocument('notes', 'shared', { suspense: true }); // inside <Suspense>
 */
export function useDocument(service: string, id: string, options: UseDocumentOptions & { suspense: true }): UseSuspenseDocumentResult;
export function useDocument(service: string, id: string, options?: UseDocumentOptions): UseDocumentResult;
export function useDocument(service: string, id: string, options: UseDocumentOptions = {}): UseDocumentResult {
  const { client, resources } = useRealtimeContext();
  const realm = options.realm ?? client.realmId;
  const start = useCallback((sink: LiveSink<SyncDocument | null>) => watchDocument(client, realm, service, id, sink), [client, realm, service, id]);
  const resource = options.enabled === false ? undefined : resources.get(`doc\u0000${realm}\u0000${service}\u0000${id}`, start);
  const { status, data, error } = useLiveResource(resource, options.suspense === true);
  return { status, data, error, revision: data?.revision ?? 0 };
}

/**
 * Watches a document into `sink`: one read answers at once whether it exists (or why it cannot be
 * read), and `sync.subscribe` delivers every revision after; the newer of the two wins. Returns
 * the function that stops watching.
 *
 * @example
 * const stop = watchDocument(client, 'demo', 'notes', 'n1', sink);
 */
export function watchDocument(client: RealtimeClient, realm: string, service: string, id: string, sink: LiveSink<SyncDocument | null>): () => void {
  const sync = realm === client.realmId ? client.sync : client.realm(realm).sync;
  let stopped = false;
  const offer = (document: SyncDocument): void => {
    sink.update((previous) => (previous !== undefined && previous !== null && previous.revision >= document.revision ? previous : document));
  };
  const stopWatching = sync.subscribe(service, id, offer);
  sync.get(service, id, { includeDeleted: true }).then(
    (document) => {
      if (!stopped) offer(document);
    },
    (err: unknown) => {
      if (stopped) return;
      if (err instanceof NotFoundError) sink.update((previous) => previous ?? null);
      else sink.error(err);
    },
  );
  return () => {
    stopped = true;
    stopWatching();
  };
}
