import type { Logger } from 'pino';
import { CONNECTION_STATUS_CHANGED, isPattern, matchesPattern, type ConnectionStatus } from '../../shared/index.js';
import type { RealmStatusChange } from '../presence/presence-store.js';
import type { ObjectBus } from './object-bus.js';
import type { ObjectService } from './object-service.js';

/** What the relay is built from. */
export interface ConnectionStatusRelayOptions {
  objects: ObjectService;
  bus: ObjectBus;
  statusOf: (realm: string, id: string) => Promise<ConnectionStatus>;
  /** Most objects of a realm a wildcard `dpv` change is resolved against. */
  maxObjects: number;
  logger: Logger;
}

/**
 * Turns data-provider status changes (what `PresenceService.onStatusChanges` announces, on the node
 * that saw the connect or disconnect) into what Hivekit users expect: one `connectionStatusChanged`
 * pub/sub message per object whose status changed (`id` = the object id, `data = {
 * connectionStatus }`), and the object as `updated` in object feeds, on every node.
 *
 * A change of an exact id is published for that id even when no object has it (a provider may
 * connect before its object is written). A change of a wildcard (`deliveryRiders/*`) is resolved
 * against the realm's objects (at most `maxObjects`): each object it matches whose status now is
 * the new one. An object already connected through another provider when a wildcard connects is
 * announced again (it was `connected` before and still is). Changes are handled one batch after
 * the other, in the order announced.
 *
 * @example
 * const relay = new ConnectionStatusRelay({ objects, bus, statusOf, maxObjects, logger });
 * presence.onStatusChanges((changes) => relay.relay(changes));
 */
export class ConnectionStatusRelay {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConnectionStatusRelayOptions) {}

  /** Queues a batch of changes; never throws (failures are logged). */
  relay(changes: RealmStatusChange[]): void {
    this.queue = this.queue
      .then(() => this.handle(changes))
      .catch((err: unknown) => this.options.logger.error({ err }, 'objects: could not relay connectionStatusChanged'));
  }

  /** Resolves once every queued batch is handled (a test and shutdown seam). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async handle(changes: RealmStatusChange[]): Promise<void> {
    const { objects, statusOf, maxObjects } = this.options;
    for (const { realm, change } of changes) {
      const { connectionStatus } = change;
      if (!isPattern(change.id)) {
        this.publish(realm, change.id, connectionStatus);
        const object = await objects.store.getObject(realm, change.id);
        if (object !== undefined) objects.publishStatus(realm, object, connectionStatus);
        continue;
      }
      const stored = await objects.store.listObjects(realm, { limit: maxObjects });
      for (const object of stored) {
        if (!matchesPattern(change.id, object.id)) continue;
        if ((await statusOf(realm, object.id)) !== connectionStatus) continue;
        this.publish(realm, object.id, connectionStatus);
        objects.publishStatus(realm, object, connectionStatus);
      }
    }
  }

  private publish(realm: string, id: string, connectionStatus: ConnectionStatus): void {
    this.options.bus.publish({ kind: 'pubsub', message: { realm, event: CONNECTION_STATUS_CHANGED, id, data: { connectionStatus } } });
  }
}
