import type { RealmInfo, SearchResult } from '../../shared/index.js';
import type { HivekitContext } from './hivekit-context.js';
import { asOptions, assertKnownKeys } from './hivekit-criteria.js';
import { HivekitEmitter, type HivekitListener } from './hivekit-emitter.js';
import { HivekitAreaHandler } from './hivekit-area-handler.js';
import { HivekitHistory } from './hivekit-history.js';
import { HivekitObjectHandler } from './hivekit-object-handler.js';
import { HivekitPubsub } from './hivekit-pubsub.js';

const SEARCH_KEYS = new Set(['field', 'maxObjectResults', 'maxAreaResults']);

/**
 * Hivekit's `Realm`: `id`, `label`, its data, and the namespaces `object`, `area`, `pubsub` and
 * `history`. Emits `'update'` (with itself) when its label or data change: at once for its own
 * `setData`/`setLabel`, and again when the server's realm feed reports the change (over
 * WebSocket the client follows every realm it has handed out).
 *
 * @example
 * const realm = await client.realm.get('london');
 * realm.on('update', () => console.log(realm.label, realm.getData()));
 * await realm.setData('timezone', 'Europe/London');
 */
export class HivekitRealm {
  readonly object: HivekitObjectHandler;
  readonly area: HivekitAreaHandler;
  readonly pubsub: HivekitPubsub;
  readonly history: HivekitHistory;
  private readonly emitter: HivekitEmitter;
  private info: RealmInfo;

  constructor(
    info: RealmInfo,
    private readonly context: HivekitContext,
  ) {
    this.info = info;
    this.emitter = new HivekitEmitter((err) => context.reportListenerError(err));
    this.object = new HivekitObjectHandler(info.id, context);
    this.area = new HivekitAreaHandler(info.id, context);
    this.pubsub = new HivekitPubsub(info.id, context);
    this.history = new HivekitHistory(info.id, context);
  }

  /** The realm id. */
  get id(): string {
    return this.info.id;
  }

  /** The realm's label. */
  get label(): string {
    return this.info.label;
  }

  /**
   * A deep copy of the realm's data, or of one key. Over HTTP (no realm feed) it is read from the
   * server and returned as a Promise, as Hivekit does.
   */
  getData(key?: string): unknown {
    const pick = (data: Record<string, unknown>): unknown => structuredClone(key === undefined ? data : data[key]);
    if (this.context.backend().mode === 'http') {
      return this.context.call('realm.getData', [key], async () => {
        this.info = await this.context.backend().realms().get(this.id);
        return pick(this.info.data);
      });
    }
    return pick(this.info.data);
  }

  /** Sets one data key (`null` deletes it); emits `'update'`. */
  setData(key: string, value: unknown): Promise<void> {
    return this.context.call('realm.setData', [key, value], async () => {
      this.apply(
        await this.context
          .backend()
          .realms()
          .update(this.id, { data: { [key]: value } }),
      );
    });
  }

  /** Sets the label; emits `'update'`. */
  setLabel(label: string): Promise<void> {
    return this.context.call('realm.setLabel', [label], async () => {
      this.apply(await this.context.backend().realms().update(this.id, { label }));
    });
  }

  /**
   * Searches the ids, labels and data of the realm's objects and areas for `searchString`;
   * `field` narrows where (`'id'`, `'label'`, `'data'`, or an array of them).
   */
  search(searchString: string, options: { field?: string | string[]; maxObjectResults?: number; maxAreaResults?: number } = {}): Promise<SearchResult[]> {
    return this.context.call('realm.search', [searchString, options], () => {
      const given = asOptions(options);
      assertKnownKeys(given, SEARCH_KEYS);
      const fields = given.field === undefined ? undefined : typeof given.field === 'string' ? [given.field] : given.field;
      return this.context.backend().search(this.id, searchString, {
        ...(fields === undefined ? {} : { fields: fields as ('id' | 'label' | 'data')[] }),
        ...(given.maxObjectResults === undefined ? {} : { maxObjectResults: given.maxObjectResults as number }),
        ...(given.maxAreaResults === undefined ? {} : { maxAreaResults: given.maxAreaResults as number }),
      });
    });
  }

  /** Listens to `'update'`; returns the listener id. */
  on(eventName: string, callback: HivekitListener, context?: unknown, order?: number): number {
    return this.emitter.on(eventName, callback, context, order);
  }

  /** Removes a listener. */
  off(eventName: string, callback: HivekitListener, context?: unknown): void {
    this.emitter.off(eventName, callback, context);
  }

  /** Takes the server's current metadata and tells the listeners. @internal */
  apply(info: RealmInfo): void {
    this.info = info;
    this.emitter.emit('update', this);
  }
}
