import { toRealtimeError, type RecordSubscriptionResult } from '../shared/index.js';
import type { FeatureClientDeps } from './feature-client-deps.js';
import type { ResubscribableStream } from './resubscriber.js';

/** Options of the record-subscription calls. */
export interface RecordSubscriptionOptions {
  /** @default the client's realm */
  realm?: string;
}

/**
 * `client.records`: tells the platform which records this client follows (`record:subscribe`),
 * so record listeners (`client.listening.listen(pattern, handler, { kind: 'record' })`) are offered
 * a record when it gains its first subscriber and stopped when it loses its last. The record's
 * data itself comes through `client.sync` (service `records`); whether a listener provides it
 * arrives through `client.listening.onProviderChanged` (kind `record`). Subscriptions are sent
 * again after every reconnect.
 *
 * @example
 * const { hasProvider } = await client.records.subscribe('prices/eur');
 * client.listening.onProviderChanged(({ kind, name, hasProvider }) => kind === 'record' && show(name, hasProvider));
 */
export class RecordSubscriptionClient implements ResubscribableStream {
  /** Realm → names followed. */
  private readonly followed = new Map<string, Set<string>>();

  constructor(private readonly deps: FeatureClientDeps) {}

  /** Follows record `name`; resolves with whether a listener provides it now. Needs `R` on its document. */
  async subscribe(name: string, options: RecordSubscriptionOptions = {}): Promise<RecordSubscriptionResult> {
    const realm = options.realm ?? this.deps.defaultRealm();
    let names = this.followed.get(realm);
    if (names === undefined) this.followed.set(realm, (names = new Set()));
    names.add(name);
    try {
      return await this.deps.requests.request('record:subscribe', { realm, name });
    } catch (err) {
      names.delete(name);
      throw err;
    }
  }

  /** Stops following record `name`. */
  async unsubscribe(name: string, options: RecordSubscriptionOptions = {}): Promise<void> {
    const realm = options.realm ?? this.deps.defaultRealm();
    if (this.followed.get(realm)?.delete(name) !== true) return;
    if (this.deps.connection.state !== 'connected') return; // the next connection does not send it
    await this.deps.requests.request('record:unsubscribe', { realm, name });
  }

  /** Follows every record again on a new connection. */
  resubscribe(): void {
    for (const [realm, names] of this.followed) {
      for (const name of names) {
        this.deps.requests.request('record:subscribe', { realm, name }).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
      }
    }
  }

  /** Forgets every subscription. */
  destroy(): void {
    this.followed.clear();
  }
}
