import { ConflictError, NotFoundError, type WebhookDeliveryPage, type WebhookDeliveryView } from '../../shared/index.js';
import type { DeliveryQuery, WebhookStore } from './webhook-store.js';
import { deliveryView } from './webhook-views.js';

/**
 * The delivery log and the dead-letter list of a realm, as the REST routes read and change them.
 *
 * @example
 * const log = new DeliveryLog(store, Date.now, () => dispatcher.wake());
 * await log.redeliver('demo', 'dlv_01J...');
 */
export class DeliveryLog {
  constructor(
    private readonly store: WebhookStore,
    private readonly now: () => number,
    /** Tells the dispatcher there is work. */
    private readonly wake: () => void,
  ) {}

  /** Deliveries of a realm (optionally of one endpoint, status or event type), newest first. */
  async page(realm: string, query: DeliveryQuery): Promise<WebhookDeliveryPage> {
    const page = await this.store.listDeliveries(realm, query);
    return { items: page.items.map(deliveryView), ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) };
  }

  /**
   * Takes a delivery out of the dead-letter list and sends it again with a fresh schedule (paused
   * instead while its endpoint is inactive). Only a delivery still in the list moves, so two
   * concurrent requests redeliver it once.
   *
   * @throws NotFoundError; ConflictError when it is not in the dead-letter list (`details.current`).
   */
  async redeliver(realm: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const delivery = await this.store.getDelivery(realm, deliveryId);
    if (delivery === undefined) throw new NotFoundError(`No delivery ${deliveryId} in realm "${realm}"`, { details: { id: deliveryId } });
    const endpoint = await this.store.getEndpoint(realm, delivery.webhookId);
    const now = this.now();
    const active = endpoint?.active === true;
    const updated = await this.store.updateDelivery(
      realm,
      deliveryId,
      {
        status: active ? 'pending' : 'paused',
        attempts: 0,
        nextAttemptAt: active ? now : null,
        failedAt: null,
        redeliveries: delivery.redeliveries + 1,
        updatedAt: now,
      },
      'failed',
    );
    if (updated === undefined) {
      const current = await this.store.getDelivery(realm, deliveryId);
      throw new ConflictError(`Delivery ${deliveryId} is not in the dead-letter list`, {
        details: current === undefined ? {} : { current: deliveryView(current) },
      });
    }
    if (active) this.wake();
    return deliveryView(updated);
  }
}
