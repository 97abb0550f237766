import type { Logger } from 'pino';
import { WEBHOOK_HEADERS, decodeWebhookSecret, signWebhook, type WebhookDisabledReason } from '../../shared/index.js';
import { planOutcome, type DeliveryOutcome } from './delivery-outcome.js';
import type { ResolvedWebhookOptions } from './webhook-options.js';
import { signingSecrets } from './webhook-secrets.js';
import type { AttemptResult, WebhookSender } from './webhook-sender.js';
import type { EndpointRef, StoredDelivery, StoredEndpoint, WebhookStore } from './webhook-store.js';
import { WakeSchedule } from './wake-schedule.js';

/** What the dispatcher is built from. */
export interface WebhookDispatcherOptions {
  store: WebhookStore;
  sender: WebhookSender;
  settings: ResolvedWebhookOptions;
  /** This node's id: the owner name of the leases it takes. */
  nodeId: string;
  logger: Logger;
  /** Reports an endpoint the dispatcher disabled (after its deliveries were paused). */
  onDisabled: (endpoint: StoredEndpoint, reason: WebhookDisabledReason) => void;
  /** Hears how each attempt ended, once its outcome is stored. */
  onAttempt?: (outcome: DeliveryOutcome) => void;
}

interface Drain {
  controller: AbortController;
  done: Promise<void>;
}

/** Queue read failures are logged at most this often, ms. */
const FAILURE_LOG_INTERVAL_MS = 30_000;

/**
 * Sends queued deliveries: finds endpoints with due deliveries, takes each one's lease, and sends
 * its due deliveries one at a time, oldest first, signing each attempt afresh (new timestamp,
 * every secret still in its grace period).
 *
 * Why this shape: one drain per endpoint with at most `maxConcurrentDeliveries` drains at once
 * means a slow or dead endpoint occupies one slot and its own queue, never another endpoint's,
 * and never the realtime path (which only writes to the queue). The lease in the store makes the
 * per-endpoint order hold across nodes and lets another node take over when one dies (after the
 * lease runs out). Retries this node schedules wake it at their time; anything else (another
 * node's deliveries, deliveries left from before a restart) is found by polling every
 * `pollIntervalMs`. An attempt interrupted by `close()` does not count and is sent again later:
 * delivery is at least once, and receivers deduplicate by `webhook-id`.
 *
 * @example
 * const dispatcher = new WebhookDispatcher({ store, sender, settings, nodeId, logger, onDisabled });
 * dispatcher.start();
 * dispatcher.wake();
 * await dispatcher.close();
 */
export class WebhookDispatcher {
  private readonly drains = new Map<string, Drain>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private scanning = false;
  private rescan = false;
  private closing = false;
  private lastFailureLog = 0;
  /** The retry times this node scheduled: each wakes the dispatcher at its time. */
  private readonly retries: WakeSchedule;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.retries = new WakeSchedule(
      () => options.settings.now(),
      () => this.wake(),
    );
  }

  /** Starts polling and looks for due work at once. */
  start(): void {
    if (this.closing || this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => this.wake(), this.options.settings.pollIntervalMs);
    this.pollTimer.unref();
    this.wake();
  }

  /**
   * Looks for due work at `at` (Unix ms; now when absent). Every future time is kept (see
   * {@link WakeSchedule}): an earlier or immediate wake never cancels a later one.
   */
  wake(at?: number): void {
    if (this.closing) return;
    const now = this.options.settings.now();
    if (at !== undefined && at > now) {
      this.retries.at(at);
      return;
    }
    if (this.wakeTimer !== undefined) return; // a scan is already on its way
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.scan();
    }, 0);
    this.wakeTimer.unref();
  }

  /**
   * Stops taking work; waits for attempts in flight up to `graceMs`, then aborts them (an aborted
   * attempt stays queued and is sent again after a restart).
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.retries.clear();
    const drains = [...this.drains.values()];
    const abort = setTimeout(() => {
      for (const drain of drains) drain.controller.abort();
    }, graceMs);
    await Promise.allSettled(drains.map((drain) => drain.done));
    clearTimeout(abort);
  }

  private async scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = true;
    const { settings, store } = this.options;
    try {
      do {
        this.rescan = false;
        if (this.closing || this.drains.size >= settings.maxConcurrentDeliveries) break;
        const due = await store.dueEndpoints(settings.now(), settings.maxConcurrentDeliveries * 4);
        for (const ref of due) {
          if (this.closing || this.drains.size >= settings.maxConcurrentDeliveries) break;
          if (!this.drains.has(refKey(ref))) this.startDrain(ref);
        }
      } while (this.rescan && !this.closing);
    } catch (err) {
      this.logFailure(err, 'webhooks: could not read the delivery queue');
    } finally {
      this.scanning = false;
    }
  }

  private startDrain(ref: EndpointRef): void {
    const key = refKey(ref);
    const controller = new AbortController();
    const done = this.drain(ref, controller.signal)
      .then((worked) => {
        // More may be due (here or at endpoints waiting for a slot); a drain that could not take
        // the lease waits for the next poll instead of spinning.
        if (worked) this.wake();
      })
      .catch((err: unknown) => this.logFailure(err, 'webhooks: delivery failed to run'))
      .finally(() => this.drains.delete(key));
    this.drains.set(key, { controller, done });
  }

  /** Sends an endpoint's due deliveries in order while it holds the lease; whether it sent any. */
  private async drain(ref: EndpointRef, signal: AbortSignal): Promise<boolean> {
    const { store, settings, nodeId } = this.options;
    const { realm, webhookId } = ref;
    const leaseMs = settings.requestTimeoutMs * 2 + 10_000;
    const lease = (): Promise<boolean> => store.acquireLease(realm, webhookId, nodeId, settings.now(), settings.now() + leaseMs);
    if (!(await lease())) return false;
    let worked = false;
    try {
      while (!this.closing) {
        const endpoint = await store.getEndpoint(realm, webhookId);
        if (endpoint === undefined) return worked; // deleted: its deliveries went with it
        if (!endpoint.active) {
          await store.moveDeliveries(realm, webhookId, 'pending', 'paused', settings.now());
          return worked;
        }
        const delivery = await store.nextDueDelivery(realm, webhookId, settings.now());
        if (delivery === undefined) return worked;
        if (worked && !(await lease())) return worked;
        const result = await this.attempt(endpoint, delivery, signal);
        if (result.kind === 'aborted') return worked;
        worked = true;
        if (!(await this.record(endpoint, delivery, result))) return worked;
      }
      return worked;
    } finally {
      await store.releaseLease(realm, webhookId, nodeId).catch(() => undefined);
    }
  }

  private async attempt(endpoint: StoredEndpoint, delivery: StoredDelivery, signal: AbortSignal): Promise<AttemptResult> {
    const now = this.options.settings.now();
    const timestamp = Math.floor(now / 1000);
    const keys = signingSecrets(endpoint, now).map(decodeWebhookSecret);
    const signature = await signWebhook(keys, delivery.eventId, timestamp, delivery.body);
    return this.options.sender.send(
      {
        url: endpoint.url,
        body: delivery.body,
        headers: {
          [WEBHOOK_HEADERS.id]: delivery.eventId,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signature,
        },
      },
      signal,
    );
  }

  /** Stores an attempt's outcome; whether the endpoint is still active. */
  private async record(endpoint: StoredEndpoint, delivery: StoredDelivery, result: Exclude<AttemptResult, { kind: 'aborted' }>): Promise<boolean> {
    const { store, settings, logger } = this.options;
    const { realm, id } = endpoint;
    const now = settings.now();
    const plan = planOutcome(delivery, result, settings, now);
    await store.updateDelivery(realm, delivery.id, plan.patch);
    this.options.onAttempt?.(plan.outcome);
    if (plan.outcome === 'succeeded') {
      await store.recordEndpointSuccess(realm, id, now);
      return true;
    }
    if (plan.nextAttemptAt !== undefined) this.wake(plan.nextAttemptAt);
    if (plan.outcome === 'failed') {
      logger.info({ realm, webhookId: id, deliveryId: delivery.id, attempts: delivery.attempts + 1 }, 'webhooks: delivery moved to the dead-letter list');
    }
    const after = await store.recordEndpointFailure(realm, id, now);
    if (after === undefined) return false;
    if (plan.gone) {
      await this.disable(after, 'gone', now);
      return false;
    }
    const failingFor = now - (after.failingSince ?? now);
    if (after.consecutiveFailures >= settings.disableAfterFailures && failingFor >= settings.disableAfterMs) {
      await this.disable(after, 'failing', now);
      return false;
    }
    return true;
  }

  private async disable(endpoint: StoredEndpoint, reason: WebhookDisabledReason, now: number): Promise<void> {
    const { store } = this.options;
    const updated = await store.updateEndpoint(endpoint.realm, endpoint.id, {
      active: false,
      disabledReason: reason,
      disabledAt: now,
      updatedAt: now,
    });
    await store.moveDeliveries(endpoint.realm, endpoint.id, 'pending', 'paused', now);
    this.options.onDisabled(updated ?? endpoint, reason);
  }

  private logFailure(err: unknown, message: string): void {
    const now = this.options.settings.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    this.options.logger.error({ err }, message);
  }
}

function refKey(ref: EndpointRef): string {
  return `${ref.realm}\u0000${ref.webhookId}`;
}
