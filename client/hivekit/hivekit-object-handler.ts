import type { DeletedEntity, ObjectSummary, RealmObject } from '../../shared/index.js';
import type { ObjectFields, ObjectQuery } from '../objects/objects-client.js';
import type { HivekitContext } from './hivekit-context.js';
import { asOptions, assertKnownKeys, toObjectCriteria } from './hivekit-criteria.js';
import { hivekitError } from './hivekit-errors.js';
import { parseHivekitLocation, parseHivekitShape } from './hivekit-geo.js';
import { HivekitSubscription } from './hivekit-subscription.js';

/**
 * What Hivekit code writes to an object: `label`, `location` (string numbers allowed), `data` (merged).
 *
 * @example
 * const data: HivekitObjectData = { label: 'Ada', location: { latitude: '52.5', longitude: 13.4 }, data: { type: 'bike' } };
 */
export interface HivekitObjectData {
  label?: string;
  location?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

const WRITE_KEYS = new Set(['label', 'location', 'data']);
const LIST_KEYS = new Set(['where', 'attribute', 'field', 'shape']);

/**
 * `realm.object`: Hivekit's object calls over the platform's objects (`client.realm(id).objects`).
 *
 * @example
 * await realm.object.create('riders/7', { label: 'Ada', location: { latitude: '52.51', longitude: 13.37 } });
 * realm.object.set('riders/7', { location: { latitude: 52.52, longitude: 13.37 } }); // no answer over WebSocket
 */
export class HivekitObjectHandler {
  constructor(
    private readonly realmId: string,
    private readonly context: HivekitContext,
  ) {}

  /** Creates an object; rejects with `409` when the id exists. */
  create(id: string, data: HivekitObjectData = {}): Promise<RealmObject> {
    return this.context.call('object.create', [id, data], () => this.objects().create(id, writeFields(data)));
  }

  /** Updates an object (its `data` is merged); rejects with `404` when it does not exist. */
  update(id: string, data: HivekitObjectData = {}): Promise<RealmObject> {
    return this.context.call('object.update', [id, data], () => this.objects().update(id, writeFields(data)));
  }

  /**
   * Creates or updates without confirmation: over WebSocket nothing is answered (`undefined`; a
   * refusal reaches the client's `'error'` event); over HTTP it returns a Promise.
   */
  set(id: string, data: HivekitObjectData = {}): Promise<void> | undefined {
    const backend = this.context.backend();
    if (backend.mode === 'http') return this.context.call('object.set', [id, data], () => backend.setObject(this.realmId, id, writeFields(data)));
    void backend.setObject(this.realmId, id, writeFields(data));
    return undefined;
  }

  /** Reads an object: `{ id, label, location, data, connectionStatus, ... }`. */
  get(id: string): Promise<RealmObject> {
    return this.context.call('object.get', [id], () => this.objects().get(id));
  }

  /** Deletes an object. */
  delete(id: string): Promise<DeletedEntity> {
    return this.context.call('object.delete', [id], () => this.objects().delete(id));
  }

  /** The matching objects by id: `where` (or `attribute`) conditions, `field` (data keys to include), `shape`. */
  list(
    options: { where?: string | string[]; attribute?: string | string[]; field?: string | string[]; shape?: Record<string, unknown> } = {},
  ): Promise<Record<string, ObjectSummary>> {
    return this.context.call('object.list', [options], () => {
      const given = asOptions(options);
      assertKnownKeys(given, LIST_KEYS);
      const query: Record<string, unknown> = {};
      const where = given.where ?? given.attribute;
      if (where !== undefined) query.where = typeof where === 'string' ? [where] : where;
      if (given.field !== undefined) query.field = typeof given.field === 'string' ? [given.field] : given.field;
      if (given.shape !== undefined) query.shape = parseHivekitShape(given.shape);
      return this.objects().list(query as ObjectQuery);
    });
  }

  /**
   * A subscription to the objects matching `options` (`executeImmediately`, `where`/`attribute`,
   * `shape`, `area`, `target: { id, r }`); WebSocket only.
   */
  subscribe(options: Record<string, unknown> = {}): Promise<HivekitSubscription<RealmObject>> {
    return this.context.call('object.subscribe', [options], async () => {
      const feed = await this.objects().subscribe(toObjectCriteria(options));
      return new HivekitSubscription(feed, (err) => this.context.reportListenerError(err));
    });
  }

  private objects() {
    return this.context.backend().objects(this.realmId);
  }
}

/** Hivekit write data as the platform's object fields. */
function writeFields(data: HivekitObjectData): ObjectFields {
  const given = asOptions(data);
  const unknown = Object.keys(given).find((key) => !WRITE_KEYS.has(key) && key !== 'taskIds');
  if (unknown !== undefined) throw hivekitError(`unknown field "${unknown}"`);
  const fields: Record<string, unknown> = {};
  if (given.label !== undefined) fields.label = given.label;
  if (given.location !== undefined) fields.location = parseHivekitLocation(given.location);
  if (given.data !== undefined) fields.data = given.data;
  return fields as ObjectFields;
}
