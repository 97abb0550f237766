import type { UpdateFilter } from 'mongodb';
import { AlreadyExistsError, ErrorCode, InternalError, RealtimeError, UnavailableError } from '../../shared/index.js';
import { toStoreError } from '../sync/mongo-errors.js';
import type { StoredDelivery, StoredEndpoint } from './webhook-store.js';

/** An endpoint as stored in MongoDB: `_id` is its id; the lease lives beside it, never shown. */
export type EndpointDocument = Omit<StoredEndpoint, 'id'> & { _id: string; leaseOwner?: string; leaseUntil: number };

/** A delivery as stored in MongoDB: `_id` is its id (`dlv_<ulid>`, so `_id` order is queue order). */
export type DeliveryDocument = Omit<StoredDelivery, 'id'> & { _id: string };

/**
 * Driver errors as platform errors about webhook storage (never the driver's message).
 *
 * @example
 * catch (err) { throw toWebhookStoreError(err); }
 */
export function toWebhookStoreError(err: unknown): RealtimeError {
  if (err instanceof RealtimeError) return err;
  const mapped = toStoreError(err);
  const cause = mapped.cause ?? err;
  if (mapped instanceof AlreadyExistsError) return new AlreadyExistsError('Webhook record already exists', { cause });
  if (mapped.code === ErrorCode.UNAVAILABLE) return new UnavailableError('Webhook storage is unavailable', { cause });
  if (mapped.code === ErrorCode.TIMEOUT) return new UnavailableError('Webhook storage timed out', { cause, code: ErrorCode.TIMEOUT });
  return new InternalError('Webhook storage failed', { cause });
}

/**
 * A patch as a MongoDB update: `$set` for values, `$unset` for `null`s; `undefined` leaves a field alone.
 *
 * @example
 * collection.updateOne(filter, toUpdate({ description: null, url }));
 */
export function toUpdate<D>(fields: object, extraSet: Record<string, unknown> = {}, extraUnset: readonly string[] = []): UpdateFilter<D> {
  const $set: Record<string, unknown> = { ...extraSet };
  const $unset: Record<string, ''> = {};
  for (const name of extraUnset) $unset[name] = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value === null) $unset[name] = '';
    else $set[name] = value;
  }
  const update: Record<string, unknown> = {};
  if (Object.keys($set).length > 0) update.$set = $set;
  if (Object.keys($unset).length > 0) update.$unset = $unset;
  return update as UpdateFilter<D>;
}

/**
 * The object without its `undefined` fields (the driver would store them as `null`).
 *
 * @example
 * collection.insertOne(clean({ _id, description: undefined })); // no description field
 */
export function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * A stored endpoint document as a `StoredEndpoint` (without the lease).
 *
 * @example
 * fromEndpoint(await endpoints.findOne({ _id: id, realm }));
 */
export function fromEndpoint(document: EndpointDocument | null): StoredEndpoint | undefined {
  if (document === null) return undefined;
  const { _id, leaseOwner: _owner, leaseUntil: _until, ...rest } = document;
  return { id: _id, ...rest };
}

/**
 * A stored delivery document as a `StoredDelivery`.
 *
 * @example
 * fromDelivery(await deliveries.findOne({ _id: id, realm }));
 */
export function fromDelivery(document: DeliveryDocument | null): StoredDelivery | undefined {
  if (document === null) return undefined;
  const { _id, ...rest } = document;
  return { id: _id, ...rest };
}
