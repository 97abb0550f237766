import type { WebhookDeliveryEventType, WebhookDeliveryStatus, WebhookDisabledReason, WebhookEventType } from '../../shared/index.js';

/**
 * One signing secret of an endpoint. Rotated-out secrets keep signing until `expiresAt`.
 *
 * @example
 * const secret: StoredSecret = { value: 'whsec_...', createdAt: Date.now() };
 */
export interface StoredSecret {
  value: string;
  createdAt: number;
  /** Unix ms after which it no longer signs; absent for the current secret. */
  expiresAt?: number;
}

/**
 * A webhook endpoint as stored.
 *
 * @example
 * const endpoint: StoredEndpoint = { id: 'wh_01...', realm: 'demo', url: 'https://example.com/hook', ... };
 */
export interface StoredEndpoint {
  id: string;
  realm: string;
  url: string;
  description?: string;
  /** Event types delivered; empty = all. */
  events: WebhookEventType[];
  /** Topic patterns delivered; empty = all. */
  topics: string[];
  active: boolean;
  disabledReason?: WebhookDisabledReason;
  disabledAt?: number;
  /** Newest first; the first is the current secret. */
  secrets: StoredSecret[];
  consecutiveFailures: number;
  failingSince?: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * A change to an endpoint's settings; `null` removes an optional field.
 *
 * @example
 * await store.updateEndpoint(realm, id, { active: false, disabledReason: null, updatedAt: now });
 */
export interface EndpointPatch {
  url?: string;
  description?: string | null;
  events?: WebhookEventType[];
  topics?: string[];
  active?: boolean;
  disabledReason?: WebhookDisabledReason | null;
  disabledAt?: number | null;
  secrets?: StoredSecret[];
  /** Also resets the failure run (`consecutiveFailures` 0, no `failingSince`), e.g. on activate. */
  resetFailures?: boolean;
  updatedAt: number;
}

/**
 * One delivery of one event to one endpoint; `body` is the exact JSON that is signed and sent.
 *
 * @example
 * const due = await store.nextDueDelivery(realm, webhookId, Date.now());
 */
export interface StoredDelivery {
  /** `dlv_<ulid>`: sorts in the order deliveries were queued. */
  id: string;
  realm: string;
  webhookId: string;
  /** The event's id; sent as `webhook-id`. */
  eventId: string;
  eventType: WebhookDeliveryEventType;
  topic: string;
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  nextAttemptAt?: number;
  lastAttemptAt?: number;
  deliveredAt?: number;
  failedAt?: number;
  statusCode?: number;
  lastError?: string;
  durationMs?: number;
  redeliveries: number;
}

/**
 * A change to a delivery; `null` removes an optional field.
 *
 * @example
 * await store.updateDelivery(realm, id, { status: 'succeeded', attempts: 1, deliveredAt: now, updatedAt: now });
 */
export interface DeliveryPatch {
  status?: WebhookDeliveryStatus;
  attempts?: number;
  nextAttemptAt?: number | null;
  lastAttemptAt?: number;
  deliveredAt?: number | null;
  failedAt?: number | null;
  statusCode?: number | null;
  lastError?: string | null;
  durationMs?: number | null;
  redeliveries?: number;
  updatedAt: number;
}

/**
 * Which deliveries to list; newest first.
 *
 * @example
 * await store.listDeliveries('demo', { webhookId, status: 'failed', limit: 50 });
 */
export interface DeliveryQuery {
  webhookId?: string;
  status?: WebhookDeliveryStatus;
  eventType?: WebhookDeliveryEventType;
  /** Page size. */
  limit: number;
  /** A `nextCursor`: the page starts after (older than) this delivery id. */
  after?: string;
}

/**
 * A page of deliveries, newest first.
 *
 * @example
 * const { items, nextCursor } = await store.listDeliveries(realm, { limit: 50 });
 */
export interface StoredDeliveryPage {
  items: StoredDelivery[];
  nextCursor?: string;
}

/**
 * An endpoint with deliveries due.
 *
 * @example
 * for (const { realm, webhookId } of await store.dueEndpoints(Date.now(), 100)) drain(realm, webhookId);
 */
export interface EndpointRef {
  realm: string;
  webhookId: string;
}

/**
 * Storage of webhook endpoints and of the delivery queue. Implementations: `MemoryWebhookStore`
 * (this process; the default) and `MongoWebhookStore` (durable, shared by every node). One
 * contract suite (`test/contract/webhook-store.contract.test.ts`) pins both.
 *
 * Why this shape: the queue *is* the delivery records. A delivery is written before anything is
 * sent and changed after every attempt, so whatever was queued survives a restart (with a durable
 * store). Work is handed out per endpoint through a lease (`acquireLease`): one node at a time
 * sends to an endpoint, one request at a time, oldest due delivery first, which keeps each
 * endpoint's deliveries in order where retries allow and lets a slow endpoint hold up only itself.
 * Every method is scoped by realm, except `activeRealms`, `dueEndpoints` and `sweepDeliveries`,
 * which serve the dispatcher and the endpoint directory across realms.
 *
 * @example
 * const store: WebhookStore = process.env.MONGODB_URL ? new MongoWebhookStore({ url }) : new MemoryWebhookStore();
 */
export interface WebhookStore {
  /** Connects and prepares indexes; resolves when the store is usable. */
  ready(): Promise<void>;
  close(): Promise<void>;

  insertEndpoint(endpoint: StoredEndpoint): Promise<void>;
  getEndpoint(realm: string, id: string): Promise<StoredEndpoint | undefined>;
  /** A realm's endpoints, oldest first. */
  listEndpoints(realm: string): Promise<StoredEndpoint[]>;
  countEndpoints(realm: string): Promise<number>;
  /** The realms that have at least one active endpoint (one cheap query for every node's directory). */
  activeRealms(): Promise<string[]>;
  /** Applies a patch; the endpoint after it, or undefined when there is none. */
  updateEndpoint(realm: string, id: string, patch: EndpointPatch): Promise<StoredEndpoint | undefined>;
  /** Removes an endpoint and all of its deliveries; false when there was none. */
  deleteEndpoint(realm: string, id: string): Promise<boolean>;
  /** Ends a failure run (no write when there was none). */
  recordEndpointSuccess(realm: string, id: string, now: number): Promise<void>;
  /** Counts a failed attempt; the endpoint after it. */
  recordEndpointFailure(realm: string, id: string, now: number): Promise<StoredEndpoint | undefined>;
  /**
   * Takes (or renews) the right to send to an endpoint until `until`: succeeds when nobody holds
   * it, the holder is `owner`, or the lease expired by `now`.
   */
  acquireLease(realm: string, id: string, owner: string, now: number, until: number): Promise<boolean>;
  releaseLease(realm: string, id: string, owner: string): Promise<void>;

  insertDeliveries(deliveries: readonly StoredDelivery[]): Promise<void>;
  /** Endpoints with `pending` deliveries due by `now`, the longest-waiting first. */
  dueEndpoints(now: number, limit: number): Promise<EndpointRef[]>;
  /** The oldest `pending` delivery of an endpoint due by `now`. */
  nextDueDelivery(realm: string, webhookId: string, now: number): Promise<StoredDelivery | undefined>;
  getDelivery(realm: string, id: string): Promise<StoredDelivery | undefined>;
  /**
   * Applies a patch, only while the delivery has `expectedStatus` when given; the delivery after
   * it, or undefined when there is none (or its status differs).
   */
  updateDelivery(realm: string, id: string, patch: DeliveryPatch, expectedStatus?: StoredDelivery['status']): Promise<StoredDelivery | undefined>;
  listDeliveries(realm: string, query: DeliveryQuery): Promise<StoredDeliveryPage>;
  /** Moves an endpoint's deliveries from one status to another (pause, resume); how many moved. */
  moveDeliveries(realm: string, webhookId: string, from: StoredDelivery['status'], to: StoredDelivery['status'], now: number): Promise<number>;
  /** Removes succeeded deliveries finished before `succeededBefore`, failed ones before `failedBefore`. */
  sweepDeliveries(succeededBefore: number, failedBefore: number): Promise<number>;
}
