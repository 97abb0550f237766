import type { Area, DeletedEntity } from '../../shared/index.js';
import type { AreaFields } from '../objects/areas-client.js';
import type { HivekitContext } from './hivekit-context.js';
import { asOptions, assertKnownKeys } from './hivekit-criteria.js';
import { parseHivekitShape } from './hivekit-geo.js';
import { HivekitSubscription } from './hivekit-subscription.js';

const WRITE_KEYS = new Set(['label', 'shape', 'shapeData', 'data']);
const SUBSCRIBE_KEYS = new Set(['executeImmediately']);

/**
 * `realm.area`: Hivekit's area calls over the platform's areas (`client.realm(id).areas`). The
 * shape is `shape` or `shapeData`: `{ cx, cy, r }`, `{ x1, y1, x2, y2 }`, `{ west, north, east,
 * south }` or `{ points: [{ x, y }, ...] }`; anything else rejects with `'unknown shape data'`.
 * Unknown option keys reject with `unknown field "<key>"` (`400`, Hivekit's `unknown_field`).
 *
 * @example
 * await realm.area.create('zone-1', { label: 'Centre', shape: { cx: 13.4, cy: 52.5, r: 500 } });
 */
export class HivekitAreaHandler {
  constructor(
    private readonly realmId: string,
    private readonly context: HivekitContext,
  ) {}

  /** Creates an area; rejects with `409` when the id exists. */
  create(id: string, options: Record<string, unknown> = {}): Promise<Area> {
    return this.context.call('area.create', [id, options], () => this.areas().create(id, areaFields(options)));
  }

  /** Updates an area (`data` merged). */
  update(id: string, options: Record<string, unknown> = {}): Promise<Area> {
    return this.context.call('area.update', [id, options], () => this.areas().update(id, areaFields(options)));
  }

  /** Reads an area: `{ id, label, shape: 'circle' | 'rectangle' | 'polygon', shapeData, data }`. */
  get(id: string): Promise<Area> {
    return this.context.call('area.get', [id], () => this.areas().get(id));
  }

  /** Every area by id. */
  list(): Promise<Record<string, Area>> {
    return this.context.call('area.list', [], () => this.areas().list());
  }

  /** Deletes an area. */
  delete(id: string): Promise<DeletedEntity> {
    return this.context.call('area.delete', [id], () => this.areas().delete(id));
  }

  /** A subscription to the realm's areas (option `executeImmediately` only); WebSocket only. */
  subscribe(options: Record<string, unknown> = {}): Promise<HivekitSubscription<Area>> {
    return this.context.call('area.subscribe', [options], async () => {
      const given = asOptions(options);
      assertKnownKeys(given, SUBSCRIBE_KEYS);
      const feed = await this.areas().subscribe(given.executeImmediately === undefined ? {} : { executeImmediately: given.executeImmediately as boolean });
      return new HivekitSubscription(feed, (err) => this.context.reportListenerError(err));
    });
  }

  private areas() {
    return this.context.backend().areas(this.realmId);
  }
}

function areaFields(options: unknown): AreaFields {
  const given = asOptions(options);
  assertKnownKeys(given, WRITE_KEYS);
  const fields: Record<string, unknown> = {};
  if (given.label !== undefined) fields.label = given.label;
  const shape = given.shapeData ?? given.shape;
  if (shape !== undefined) fields.shape = parseHivekitShape(shape);
  if (given.data !== undefined) fields.data = given.data;
  return fields as AreaFields;
}
