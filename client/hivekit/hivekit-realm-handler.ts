import type { DeletedEntity, RealmInfo } from '../../shared/index.js';
import type { Feed } from '../objects/feed.js';
import type { HivekitContext } from './hivekit-context.js';
import { HivekitRealm } from './hivekit-realm.js';
import { HivekitSubscription } from './hivekit-subscription.js';

/**
 * `client.realm`: get, create, list, delete and subscribe to realms. `get(id)` hands out one
 * `Realm` per id over WebSocket (cached), and follows their metadata through one realm feed, so
 * each emits `'update'` when its label or data change elsewhere.
 *
 * @example
 * await client.realm.create('london', 'London', { timezone: 'Europe/London' });
 * const realm = await client.realm.get('london');
 */
export class HivekitRealmHandler {
  private readonly cache = new Map<string, HivekitRealm>();
  private follow: Promise<Feed<RealmInfo> | undefined> | undefined;

  constructor(private readonly context: HivekitContext) {}

  /** The realm `id`; rejects with `404` when it does not exist. */
  get(id: string): Promise<HivekitRealm> {
    return this.context.call('realm.get', [id], async () => {
      const backend = this.context.backend();
      const cached = backend.mode === 'ws' ? this.cache.get(id) : undefined;
      if (cached !== undefined) return cached;
      const realm = new HivekitRealm(await backend.realms().get(id), this.context);
      if (backend.mode === 'ws') {
        this.cache.set(id, realm);
        this.followRealms();
      }
      return realm;
    });
  }

  /** Creates a realm with a label and data; rejects with `409` when it exists. */
  create(id: string, label?: string, data?: Record<string, unknown>): Promise<RealmInfo> {
    return this.context.call('realm.create', [id, label, data], () =>
      this.context
        .backend()
        .realms()
        .create(id, { ...(label === undefined ? {} : { label }), ...(data === undefined ? {} : { data }) }),
    );
  }

  /** The realms the token can access, by id. */
  list(): Promise<Record<string, RealmInfo>> {
    return this.context.call('realm.list', [], async () => {
      const realms = await this.context.backend().realms().list();
      return Object.fromEntries(realms.map((realm) => [realm.id, realm]));
    });
  }

  /** Deletes a realm. */
  delete(id: string): Promise<DeletedEntity> {
    return this.context.call('realm.delete', [id], async () => {
      const result = await this.context.backend().realms().delete(id);
      this.cache.delete(id);
      return result;
    });
  }

  /** A subscription to every accessible realm's metadata (`update` gets them by id); WebSocket only. */
  subscribe(options: { executeImmediately?: boolean } = {}): Promise<HivekitSubscription<RealmInfo>> {
    return this.context.call('realm.subscribe', [options], async () => {
      const feed = await this.context
        .backend()
        .realms()
        .subscribe(options.executeImmediately === undefined ? {} : { executeImmediately: options.executeImmediately });
      return new HivekitSubscription(feed, (err) => this.context.reportListenerError(err));
    });
  }

  /** Forgets the cached realms and the feed that follows them (the connection they belong to is gone). @internal */
  reset(): void {
    this.cache.clear();
    this.follow = undefined;
  }

  /** One realm feed for every cached realm (started by the first `get`); a refusal only means no live updates. */
  private followRealms(): void {
    if (this.follow !== undefined) return;
    this.follow = this.context
      .backend()
      .realms()
      .subscribe({ executeImmediately: false }, ({ added, updated }) => {
        for (const info of [...Object.values(added), ...Object.values(updated)]) this.cache.get(info.id)?.apply(info);
      })
      .catch(() => undefined);
  }
}
