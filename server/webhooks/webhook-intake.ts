import type { Logger } from 'pino';
import type { EndpointDirectory } from './endpoint-directory.js';
import { endpointAccepts } from './webhook-filter.js';
import type { WebhookEventDraft } from './webhook-events.js';
import type { StoredDelivery, StoredEndpoint, WebhookStore } from './webhook-store.js';

/** What the intake is built from. */
export interface WebhookIntakeOptions {
  store: WebhookStore;
  directory: EndpointDirectory;
  logger: Logger;
  /** Events waiting for the queue before new ones are dropped. */
  maxWaitingEvents: number;
  now: () => number;
  /** A new delivery id, `dlv_<ulid>`, growing in queueing order. */
  newDeliveryId: () => string;
  /** Called after deliveries were queued. */
  onQueued: () => void;
}

/** Events written to the queue in one batch at most. */
const BATCH_SIZE = 500;
/** How long to wait before trying again after the store refused a batch, ms. */
const RETRY_AFTER_FAILURE_MS = 1000;
/** Drops are logged at most this often, ms. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Takes events from the realtime path and writes one delivery per matching endpoint to the queue.
 *
 * Why it is split in two: `offer()` runs on the realtime path (inside a publish, a channel
 * message, a connect), so it only appends to an in-memory list and returns; a realm that has no
 * endpoint costs one map lookup. The list is written to the store on the next turn of the event
 * loop, in batches, away from the path. An event is *accepted* once its deliveries are written;
 * what waits in the list when the process dies is lost, and `close()` writes it first. When the
 * store is down or the list is full, events are dropped and logged rather than slowing anything.
 *
 * @example
 * intake.offer({ type: 'event.published', event });
 * await intake.flush();
 */
export class WebhookIntake {
  private waiting: WebhookEventDraft[] = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  private lastDropLog = 0;

  constructor(private readonly options: WebhookIntakeOptions) {}

  /** Queues an event for its realm's matching endpoints, later. Never throws, never waits. */
  offer(draft: WebhookEventDraft): void {
    try {
      if (!this.options.directory.mayHaveEndpoints(draft.event.metadata.realm)) return;
      if (this.waiting.length >= this.options.maxWaitingEvents) {
        this.drop(1, 'the waiting list is full');
        return;
      }
      this.waiting.push(draft);
      this.schedule();
    } catch (err) {
      this.options.logger.error({ err }, 'webhooks: could not take an event');
    }
  }

  /** Events taken from the realtime path and not yet written to the delivery queue. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Writes every waiting event to the queue; resolves when the list is empty (or the store failed). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /**
   * Queues one event for one endpoint at once (test sends), regardless of its filters.
   *
   * @example
   * const delivery = await intake.queueFor(endpoint, testDraft(...));
   */
  async queueFor(endpoint: StoredEndpoint, draft: WebhookEventDraft): Promise<StoredDelivery> {
    const delivery = this.delivery(endpoint, draft, JSON.stringify(draft.event));
    await this.options.store.insertDeliveries([delivery]);
    this.options.onQueued();
    return delivery;
  }

  /** Stops retrying after failures; pending events are written by a last {@link flush}. */
  stop(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.slice(0, BATCH_SIZE);
      this.waiting = this.waiting.slice(batch.length);
      try {
        const deliveries = await this.match(batch);
        if (deliveries.length === 0) continue;
        await this.options.store.insertDeliveries(deliveries);
        this.options.onQueued();
      } catch (err) {
        // Keep the batch (within the cap) and try again shortly, off the realtime path.
        this.waiting = [...batch, ...this.waiting];
        const excess = this.waiting.length - this.options.maxWaitingEvents;
        if (excess > 0) {
          this.waiting.splice(0, excess);
          this.drop(excess, 'the store is unavailable');
        }
        this.options.logger.error({ err, waiting: this.waiting.length }, 'webhooks: could not queue deliveries; retrying');
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          void this.flush();
        }, RETRY_AFTER_FAILURE_MS);
        this.retryTimer.unref();
        return;
      }
    }
  }

  private async match(batch: readonly WebhookEventDraft[]): Promise<StoredDelivery[]> {
    const deliveries: StoredDelivery[] = [];
    for (const draft of batch) {
      const endpoints = await this.options.directory.active(draft.event.metadata.realm);
      let body: string | undefined;
      for (const endpoint of endpoints) {
        if (!endpointAccepts(endpoint, draft.type, draft.event.topic)) continue;
        body ??= JSON.stringify(draft.event);
        deliveries.push(this.delivery(endpoint, draft, body));
      }
    }
    return deliveries;
  }

  private delivery(endpoint: StoredEndpoint, draft: WebhookEventDraft, body: string): StoredDelivery {
    const now = this.options.now();
    return {
      id: this.options.newDeliveryId(),
      realm: endpoint.realm,
      webhookId: endpoint.id,
      eventId: draft.event.id,
      eventType: draft.type,
      topic: draft.event.topic,
      body,
      status: endpoint.active ? 'pending' : 'paused',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      ...(endpoint.active ? { nextAttemptAt: now } : {}),
      redeliveries: 0,
    };
  }

  private drop(count: number, why: string): void {
    this.dropped += count;
    const now = this.options.now();
    if (now - this.lastDropLog < DROP_LOG_INTERVAL_MS) return;
    this.lastDropLog = now;
    this.options.logger.warn({ dropped: this.dropped, why }, 'webhooks: events dropped before reaching the delivery queue');
    this.dropped = 0;
  }
}
