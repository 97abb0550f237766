import {
  ALL_REALMS,
  CONNECTION_STATUS_CHANGED,
  PRESENCE_STATUS_TOPIC,
  type Principal,
} from '../../shared/index.js';
import type { EventPublisher } from '../gateway/event-publisher.js';
import type { RealmStatusChange } from './presence-store.js';

/**
 * The object id patterns a connection provides, per realm, from its token's `dpv` claim: the
 * realm's own entry plus the `*` entry, for every realm the token names. A `*` entry cannot
 * apply to realms a token grants only through `realms: ['*']` (there is no list of them), so such
 * a token names its realms explicitly (as `dpv` or `realms` keys).
 *
 * @example
 * providedPatterns(principal); // Map { 'london' => ['deliveryRiders/johndoe-123', 'maintenanceVehicles/*'] }
 */
export function providedPatterns(principal: Principal): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const everywhere = principal.dataProviders[ALL_REALMS] ?? [];
  for (const realm of principal.realms) {
    if (realm === ALL_REALMS) continue;
    const patterns = [...new Set([...(principal.dataProviders[realm] ?? []), ...everywhere])];
    if (patterns.length > 0) result.set(realm, patterns);
  }
  return result;
}

/**
 * Publishes each status change, in order, as a RealtimeEvent on `presence.status` in its realm:
 * `type: 'connectionStatusChanged'`, payload `{ id, connectionStatus }`. A failed publish is
 * reported to `onError` (there is no caller to answer: these follow connects and disconnects).
 *
 * @example
 * publishStatusChanges(publisher, [{ realm: 'london', change: { id: 'riders/7', connectionStatus: 'connected' } }], log);
 */
export function publishStatusChanges(
  publisher: EventPublisher,
  changes: RealmStatusChange[],
  onError: (err: unknown) => void,
): void {
  for (const { realm, change } of changes) {
    try {
      const published: unknown = publisher.publish({
        realm,
        topic: PRESENCE_STATUS_TOPIC,
        source: 'socket',
        type: CONNECTION_STATUS_CHANGED,
        payload: { id: change.id, connectionStatus: change.connectionStatus },
      });
      // `publish` may complete asynchronously (it records history first); never leave it unhandled.
      void Promise.resolve(published).catch(onError);
    } catch (err) {
      onError(err);
    }
  }
}
