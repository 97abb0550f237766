import { ALL_REALMS, CONNECTION_STATUS_CHANGED, PRESENCE_STATUS_TOPIC, type Principal } from '../../shared/index.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RealmStatusChange } from './presence-store.js';

/**
 * The object id patterns a connection provides, per realm, from its token's `dpv` claim: in each
 * realm the token may use, that realm's own entry plus the `*` entry. `dpv` never grants a realm: an
 * entry for a realm the token does not grant is ignored. The realms a token may use are those it
 * names (`realm`, `realms`, `per` keys, or `default` when it names none); a token granting every
 * realm (`realms: ['*']`) also provides in each realm its `dpv` names. A `*` entry cannot reach
 * realms such a token grants only through `*` (there is no list of them to announce status in), so
 * it names them (in `realms` or as `dpv` keys).
 *
 * @example
 * providedPatterns(principal); // Map { 'london' => ['deliveryRiders/johndoe-123', 'maintenanceVehicles/*'] }
 */
export function providedPatterns(principal: Principal): Map<string, string[]> {
  const { dataProviders } = principal;
  const everywhere = ownPatterns(dataProviders, ALL_REALMS);
  const realms = new Set(principal.realms.filter((realm) => realm !== ALL_REALMS));
  if (principal.realms.includes(ALL_REALMS)) {
    for (const realm of Object.keys(dataProviders)) if (realm !== ALL_REALMS) realms.add(realm);
  }
  const result = new Map<string, string[]>();
  for (const realm of realms) {
    const patterns = [...new Set([...ownPatterns(dataProviders, realm), ...everywhere])];
    if (patterns.length > 0) result.set(realm, patterns);
  }
  return result;
}

/** A realm's own `dpv` entry; `Object.hasOwn`, so that a realm named `__proto__` finds no prototype. */
function ownPatterns(dataProviders: Principal['dataProviders'], realm: string): string[] {
  return Object.hasOwn(dataProviders, realm) ? (dataProviders[realm] ?? []) : [];
}

/**
 * Publishes each status change, in order, as a RealtimeEvent on `presence.status` in its realm:
 * `type: 'connectionStatusChanged'`, payload `{ id, connectionStatus }`. A failed publish is
 * reported to `onError` (there is no caller to answer: these follow connects and disconnects).
 *
 * @example
 * publishStatusChanges(publisher, [{ realm: 'london', change: { id: 'riders/7', connectionStatus: 'connected' } }], log);
 */
export function publishStatusChanges(publisher: EventPublisher, changes: RealmStatusChange[], onError: (err: unknown) => void): void {
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
