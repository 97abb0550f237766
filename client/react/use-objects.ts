import { useCallback } from 'react';
import type { RealmObject, RealtimeError } from '../../shared/index.js';
import type { Feed } from '../objects/feed.js';
import type { ObjectCriteria } from '../objects/objects-client.js';
import type { RealtimeClient } from '../realtime-client.js';
import type { LiveSink, LiveStatus } from './live-resource.js';
import { useRealtimeContext } from './realtime-provider.js';
import { useLiveResource } from './use-live-resource.js';

/** Options of {@link useObjects}. */
export interface UseObjectsOptions {
  /** @default the client's realm */
  realm?: string;
  /** Suspend until the first full set arrives; errors go to the nearest error boundary. @default false */
  suspense?: boolean;
  /** `false` subscribes to nothing. @default true */
  enabled?: boolean;
}

/** What {@link useObjects} returns. */
export interface UseObjectsResult {
  /** The objects matching the criteria, by id (a new `Map` on every change); `undefined` while loading. */
  objects: ReadonlyMap<string, RealmObject> | undefined;
  status: LiveStatus;
  error: RealtimeError | undefined;
}

/**
 * A live set of Hivekit objects (`client.objects.subscribe`): where they are, their labels and
 * data, as they move. Components with the same criteria share one feed; it is cancelled when the
 * last of them unmounts. New criteria (e.g. the map was panned) open a new feed.
 *
 * @example
 * const { objects } = useObjects({ where: ['type="scooter"'], shape: { west: -0.2, north: 51.52, east: -0.1, south: 51.49 } });
 */
export function useObjects(criteria: ObjectCriteria = {}, options: UseObjectsOptions = {}): UseObjectsResult {
  const { client, resources } = useRealtimeContext();
  const realm = options.realm ?? client.realmId;
  const criteriaKey = JSON.stringify(criteria);
  const start = useCallback(
    (sink: LiveSink<ReadonlyMap<string, RealmObject>>) => followObjects(client, realm, JSON.parse(criteriaKey) as ObjectCriteria, sink),
    [client, realm, criteriaKey],
  );
  const resource = options.enabled === false ? undefined : resources.get(`objects\u0000${realm}\u0000${criteriaKey}`, start);
  const { status, data, error } = useLiveResource(resource, options.suspense === true);
  return { objects: data, status, error };
}

function followObjects(client: RealtimeClient, realm: string, criteria: ObjectCriteria, sink: LiveSink<ReadonlyMap<string, RealmObject>>): () => void {
  const objects = realm === client.realmId ? client.objects : client.realm(realm).objects;
  let stopped = false;
  let feed: Feed<RealmObject> | undefined;
  objects
    .subscribe({ executeImmediately: true, ...criteria }, ({ items }) => sink.next(new Map(items)))
    .then(
      (opened) => {
        feed = opened;
        if (stopped) opened.cancel().catch(() => {});
      },
      (err: unknown) => {
        if (!stopped) sink.error(err);
      },
    );
  return () => {
    stopped = true;
    feed?.cancel().catch(() => {});
  };
}
