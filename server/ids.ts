import { randomBytes, randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/*
 * Every id the server makes comes from here, so there is one generator and one place that
 * states each id's format. Secrets (webhook signing secrets, the dev token secret) are not ids and
 * are made where they are used.
 *
 * Why one process-wide monotonic ULID factory: a ULID is 48 bits of Unix ms and 80 random bits,
 * so plain ULIDs made in the same millisecond sort at random. The monotonic factory instead adds
 * 1 to the random part within a millisecond (and when the clock steps back), so every id made by
 * this process sorts in the order it was made. Event ids rely on that (ids of one topic sort in
 * publish order), and so do delivery ids (`_id` order is queue order). Sharing one factory keeps
 * that true across all of them.
 */

const nextMonotonicUlid = monotonicFactory();

/**
 * A new ULID (26 characters of Crockford base 32, uppercase), greater than every ULID this process
 * made before, even within one millisecond.
 *
 * @example
 * const a = newUlid(); const b = newUlid(); // a < b
 */
export function newUlid(): string {
  return nextMonotonicUlid();
}

/**
 * A new event id: a bare ULID, so the events of one topic sort in publish order.
 *
 * @example
 * newEventId(); // '01HZX3KQ9V8E7M2N4P6R8T0W2Y'
 */
export function newEventId(): string {
  return newUlid();
}

/**
 * A new document id as the sync service makes it when a caller gives none: a bare ULID.
 * (A `DocumentStore` used directly makes {@link newStoreDocumentId} ids instead; see there.)
 *
 * @example
 * newDocumentId(); // '01HZX3KQ9V8E7M2N4P6R8T0W2Y'
 */
export function newDocumentId(): string {
  return newUlid();
}

/**
 * A new document id as a `DocumentStore` makes it when `create` gets none: `doc_` and a lowercase
 * ULID, so generated ids sort by creation time. Through the API the sync service always passes an
 * id ({@link newDocumentId}), so this one is seen only by code using a store directly.
 *
 * @example
 * newStoreDocumentId(); // 'doc_01hzx3kq9v8e7m2n4p6r8t0w2y'
 */
export function newStoreDocumentId(): string {
  return `doc_${newUlid().toLowerCase()}`;
}

/**
 * A new webhook endpoint id, `wh_<ulid>`.
 *
 * @example
 * newEndpointId(); // 'wh_01HZX3KQ9V8E7M2N4P6R8T0W2Y'
 */
export function newEndpointId(): string {
  return `wh_${newUlid()}`;
}

/**
 * A new webhook delivery id, `dlv_<ulid>`: sorts in the order deliveries were queued.
 *
 * @example
 * newDeliveryId(); // 'dlv_01HZX3KQ9V8E7M2N4P6R8T0W2Y'
 */
export function newDeliveryId(): string {
  return `dlv_${newUlid()}`;
}

/**
 * A new cluster node id, `node-<uuid v4>` (presence uses it to tell nodes apart).
 *
 * @example
 * newNodeId(); // 'node-3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function newNodeId(): string {
  return `node-${randomUUID()}`;
}

/**
 * A new history stream epoch: 6 random bytes, base64url (8 characters). A stream gets a new epoch
 * when its history is lost, so a stored position from before can be told apart.
 *
 * @example
 * newStreamEpoch(); // 'q3Zb9K1x'
 */
export function newStreamEpoch(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * A new feed or pub/sub subscription id: a prefix (`feed_`, `ps_`) and a lowercase ULID.
 *
 * @example
 * newSubscriptionId('feed'); // 'feed_01hzx3kq9v8e7m2n4p6r8t0w2y'
 */
export function newSubscriptionId(prefix: 'feed' | 'ps'): string {
  return `${prefix}_${newUlid().toLowerCase()}`;
}

/**
 * A signing key id, `key_<ulid>`: unique, and in creation order.
 *
 * @example
 * newKeyId(); // 'key_01J...'
 */
export function newKeyId(): string {
  return `key_${newUlid()}`;
}

/**
 * A database mapping id, `map_<ulid>`: unique, and in creation order.
 *
 * @example
 * newMappingId(); // 'map_01J...'
 */
export function newMappingId(): string {
  return `map_${newUlid()}`;
}
