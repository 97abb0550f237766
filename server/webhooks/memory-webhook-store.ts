import { UnavailableError } from '../../shared/index.js';
import type {
  DeliveryPatch,
  DeliveryQuery,
  EndpointPatch,
  EndpointRef,
  StoredDelivery,
  StoredDeliveryPage,
  StoredEndpoint,
  WebhookStore,
} from './webhook-store.js';

interface Lease {
  owner: string;
  until: number;
}

/**
 * The embedded {@link WebhookStore}: endpoints and the delivery queue in this process. Nothing
 * survives a restart; set `MONGODB_URL` (a `MongoWebhookStore`) for that. Values are copied in and
 * out, so callers never share objects with the store.
 *
 * @example
 * const store = new MemoryWebhookStore();
 * await store.insertEndpoint(endpoint);
 */
export class MemoryWebhookStore implements WebhookStore {
  private readonly endpoints = new Map<string, StoredEndpoint>();
  private readonly leases = new Map<string, Lease>();
  /** Ordered by id, which is the queueing order (`dlv_<ulid>`). */
  private readonly deliveries = new Map<string, StoredDelivery>();
  /** Pending delivery ids per endpoint, so due work is found without scanning the history. */
  private readonly pending = new Map<string, Set<string>>();
  private closed = false;

  async ready(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async insertEndpoint(endpoint: StoredEndpoint): Promise<void> {
    this.assertOpen();
    this.endpoints.set(key(endpoint.realm, endpoint.id), structuredClone(endpoint));
  }

  async getEndpoint(realm: string, id: string): Promise<StoredEndpoint | undefined> {
    this.assertOpen();
    return copy(this.endpoints.get(key(realm, id)));
  }

  async listEndpoints(realm: string): Promise<StoredEndpoint[]> {
    this.assertOpen();
    return [...this.endpoints.values()]
      .filter((endpoint) => endpoint.realm === realm)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((endpoint) => structuredClone(endpoint));
  }

  async countEndpoints(realm: string): Promise<number> {
    this.assertOpen();
    let count = 0;
    for (const endpoint of this.endpoints.values()) if (endpoint.realm === realm) count += 1;
    return count;
  }

  async activeRealms(): Promise<string[]> {
    this.assertOpen();
    const realms = new Set<string>();
    for (const endpoint of this.endpoints.values()) if (endpoint.active) realms.add(endpoint.realm);
    return [...realms];
  }

  async updateEndpoint(realm: string, id: string, patch: EndpointPatch): Promise<StoredEndpoint | undefined> {
    this.assertOpen();
    const endpoint = this.endpoints.get(key(realm, id));
    if (endpoint === undefined) return undefined;
    const { resetFailures, ...fields } = patch;
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if (value === null) delete (endpoint as unknown as Record<string, unknown>)[name];
      else (endpoint as unknown as Record<string, unknown>)[name] = structuredClone(value);
    }
    if (resetFailures === true) {
      endpoint.consecutiveFailures = 0;
      delete endpoint.failingSince;
    }
    return structuredClone(endpoint);
  }

  async deleteEndpoint(realm: string, id: string): Promise<boolean> {
    this.assertOpen();
    const existed = this.endpoints.delete(key(realm, id));
    this.leases.delete(key(realm, id));
    for (const [deliveryId, delivery] of this.deliveries) {
      if (delivery.realm === realm && delivery.webhookId === id) this.deliveries.delete(deliveryId);
    }
    this.pending.delete(key(realm, id));
    return existed;
  }

  async recordEndpointSuccess(realm: string, id: string): Promise<void> {
    this.assertOpen();
    const endpoint = this.endpoints.get(key(realm, id));
    if (endpoint === undefined || endpoint.consecutiveFailures === 0) return;
    endpoint.consecutiveFailures = 0;
    delete endpoint.failingSince;
  }

  async recordEndpointFailure(realm: string, id: string, now: number): Promise<StoredEndpoint | undefined> {
    this.assertOpen();
    const endpoint = this.endpoints.get(key(realm, id));
    if (endpoint === undefined) return undefined;
    endpoint.consecutiveFailures += 1;
    endpoint.failingSince = Math.min(endpoint.failingSince ?? now, now);
    return structuredClone(endpoint);
  }

  async acquireLease(realm: string, id: string, owner: string, now: number, until: number): Promise<boolean> {
    this.assertOpen();
    const lease = this.leases.get(key(realm, id));
    if (lease !== undefined && lease.owner !== owner && lease.until > now) return false;
    this.leases.set(key(realm, id), { owner, until });
    return true;
  }

  async releaseLease(realm: string, id: string, owner: string): Promise<void> {
    if (this.leases.get(key(realm, id))?.owner === owner) this.leases.delete(key(realm, id));
  }

  async insertDeliveries(deliveries: readonly StoredDelivery[]): Promise<void> {
    this.assertOpen();
    for (const delivery of deliveries) {
      this.deliveries.set(delivery.id, structuredClone(delivery));
      this.index(delivery);
    }
  }

  async dueEndpoints(now: number, limit: number): Promise<EndpointRef[]> {
    this.assertOpen();
    const due = [...this.pendingDeliveries()]
      .filter((delivery) => (delivery.nextAttemptAt ?? 0) <= now)
      .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
    const refs = new Map<string, EndpointRef>();
    for (const delivery of due) {
      if (refs.size >= limit) break;
      refs.set(key(delivery.realm, delivery.webhookId), { realm: delivery.realm, webhookId: delivery.webhookId });
    }
    return [...refs.values()];
  }

  async nextDueDelivery(realm: string, webhookId: string, now: number): Promise<StoredDelivery | undefined> {
    this.assertOpen();
    let oldest: StoredDelivery | undefined;
    for (const deliveryId of this.pending.get(key(realm, webhookId)) ?? []) {
      const delivery = this.deliveries.get(deliveryId);
      if (delivery === undefined || (delivery.nextAttemptAt ?? 0) > now) continue;
      if (oldest === undefined || delivery.id < oldest.id) oldest = delivery;
    }
    return copy(oldest);
  }

  async getDelivery(realm: string, id: string): Promise<StoredDelivery | undefined> {
    this.assertOpen();
    const delivery = this.deliveries.get(id);
    return delivery?.realm === realm ? structuredClone(delivery) : undefined;
  }

  async updateDelivery(realm: string, id: string, patch: DeliveryPatch, expectedStatus?: StoredDelivery['status']): Promise<StoredDelivery | undefined> {
    this.assertOpen();
    const delivery = this.deliveries.get(id);
    if (delivery?.realm !== realm) return undefined;
    if (expectedStatus !== undefined && delivery.status !== expectedStatus) return undefined;
    for (const [name, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (value === null) delete (delivery as unknown as Record<string, unknown>)[name];
      else (delivery as unknown as Record<string, unknown>)[name] = value;
    }
    this.index(delivery);
    return structuredClone(delivery);
  }

  async listDeliveries(realm: string, query: DeliveryQuery): Promise<StoredDeliveryPage> {
    this.assertOpen();
    const matching = [...this.deliveries.values()]
      .filter(
        (delivery) =>
          delivery.realm === realm &&
          (query.webhookId === undefined || delivery.webhookId === query.webhookId) &&
          (query.status === undefined || delivery.status === query.status) &&
          (query.eventType === undefined || delivery.eventType === query.eventType) &&
          (query.after === undefined || delivery.id < query.after),
      )
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const items = matching.slice(0, query.limit).map((delivery) => structuredClone(delivery));
    const last = items[items.length - 1];
    return matching.length > query.limit && last !== undefined ? { items, nextCursor: last.id } : { items };
  }

  async moveDeliveries(realm: string, webhookId: string, from: StoredDelivery['status'], to: StoredDelivery['status'], now: number): Promise<number> {
    this.assertOpen();
    let moved = 0;
    for (const delivery of this.deliveries.values()) {
      if (delivery.realm !== realm || delivery.webhookId !== webhookId || delivery.status !== from) continue;
      delivery.status = to;
      delivery.updatedAt = now;
      if (to === 'pending') delivery.nextAttemptAt = now;
      else delete delivery.nextAttemptAt;
      this.index(delivery);
      moved += 1;
    }
    return moved;
  }

  async sweepDeliveries(succeededBefore: number, failedBefore: number): Promise<number> {
    this.assertOpen();
    let removed = 0;
    for (const [id, delivery] of this.deliveries) {
      const expired =
        (delivery.status === 'succeeded' && (delivery.deliveredAt ?? delivery.updatedAt) < succeededBefore) ||
        (delivery.status === 'failed' && (delivery.failedAt ?? delivery.updatedAt) < failedBefore);
      if (!expired) continue;
      this.deliveries.delete(id);
      removed += 1;
    }
    return removed;
  }

  private *pendingDeliveries(): Iterable<StoredDelivery> {
    for (const ids of this.pending.values()) {
      for (const id of ids) {
        const delivery = this.deliveries.get(id);
        if (delivery !== undefined) yield delivery;
      }
    }
  }

  /** Keeps {@link pending} in step with a delivery's status. */
  private index(delivery: StoredDelivery): void {
    const endpointKey = key(delivery.realm, delivery.webhookId);
    let ids = this.pending.get(endpointKey);
    if (delivery.status === 'pending') {
      if (ids === undefined) this.pending.set(endpointKey, (ids = new Set()));
      ids.add(delivery.id);
    } else if (ids !== undefined) {
      ids.delete(delivery.id);
      if (ids.size === 0) this.pending.delete(endpointKey);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('Webhook store is closed');
  }
}

function key(realm: string, id: string): string {
  return `${realm}\u0000${id}`;
}

function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}
