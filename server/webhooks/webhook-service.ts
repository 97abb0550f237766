import type { Logger } from 'pino';
import {
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  WEBHOOK_STATUS_TOPIC,
  type WebhookDeliveryPage,
  type WebhookDeliveryView,
  type WebhookDisabledReason,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from '../../shared/index.js';
import type { EventDraft } from '../events/event-publisher.js';
import { newDeliveryId, newEndpointId, newEventId } from '../ids.js';
import { assertPublicUrl } from './address-guard.js';
import { DeliveryLog } from './delivery-log.js';
import { EndpointDirectory } from './endpoint-directory.js';
import { MemoryWebhookStore } from './memory-webhook-store.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { testDraft } from './webhook-events.js';
import { WebhookIntake } from './webhook-intake.js';
import { resolveWebhookOptions, type ResolvedWebhookOptions, type WebhookOptions } from './webhook-options.js';
import { generateWebhookSecret, rotateSecrets } from './webhook-secrets.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookSources, type SourceHooks } from './webhook-sources.js';
import type { DeliveryQuery, StoredEndpoint, WebhookStore } from './webhook-store.js';
import { deliveryView, endpointView } from './webhook-views.js';
import type { DeliveryOutcome } from './delivery-outcome.js';

/** What the service is built from. */
export interface WebhookServiceOptions extends WebhookOptions {
  logger: Logger;
  /** This node's id (lease owner). */
  nodeId: string;
  /** Publishes the `webhook.disabled` report on `webhooks.status`. */
  publish: (draft: EventDraft) => Promise<unknown>;
  /** Hears how each delivery attempt ended (the server's metrics count them). */
  onAttempt?: (outcome: DeliveryOutcome) => void;
}

/** `POST /api/webhooks` input (validated). */
export interface CreateWebhookInput {
  url: string;
  secret?: string;
  events?: WebhookEventType[];
  topics?: string[];
  description?: string;
}

/** `PATCH /api/webhooks/:id` input (validated); `description: null` removes it. */
export interface UpdateWebhookInput {
  url?: string;
  events?: WebhookEventType[];
  topics?: string[];
  description?: string | null;
}

/** `POST /api/webhooks/:id/rotate-secret` input (validated). */
export interface RotateSecretInput {
  secret?: string;
  gracePeriodMs?: number;
}

/**
 * Signed webhooks out: endpoint management for the REST routes, and the pipeline that turns
 * realtime activity into deliveries (hooks → {@link WebhookIntake} → store → {@link WebhookDispatcher}).
 * Realm scoping is by argument: every method works inside one realm, and nothing reaches another.
 *
 * @example
 * const webhooks = new WebhookService({ logger, nodeId, publish: (draft) => publisher.publish(draft) });
 * webhooks.attach({ publisher, messenger, presence, gateway, objects: objectBus });
 * await webhooks.start();
 * const created = await webhooks.create('demo', { url: 'https://example.com/hook', events: ['document.updated'] });
 */
export class WebhookService {
  readonly store: WebhookStore;
  readonly settings: ResolvedWebhookOptions;
  private readonly directory: EndpointDirectory;
  private readonly intake: WebhookIntake;
  private readonly sender: WebhookSender;
  private readonly dispatcher: WebhookDispatcher;
  private readonly sources: WebhookSources;
  private readonly log: DeliveryLog;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: WebhookServiceOptions) {
    this.settings = resolveWebhookOptions(options);
    this.store = options.store ?? new MemoryWebhookStore();
    const { now } = this.settings;
    this.directory = new EndpointDirectory(this.store, this.settings.endpointCacheMs, now);
    this.sender = new WebhookSender({ allowPrivateNetworks: this.settings.allowPrivateNetworks, requestTimeoutMs: this.settings.requestTimeoutMs, now });
    this.dispatcher = new WebhookDispatcher({
      store: this.store,
      sender: this.sender,
      settings: this.settings,
      nodeId: options.nodeId,
      logger: options.logger,
      onDisabled: (endpoint, reason) => this.reportDisabled(endpoint, reason),
      ...(options.onAttempt === undefined ? {} : { onAttempt: options.onAttempt }),
    });
    this.intake = new WebhookIntake({
      store: this.store,
      directory: this.directory,
      logger: options.logger,
      maxWaitingEvents: this.settings.maxWaitingEvents,
      now,
      newDeliveryId,
      onQueued: () => this.dispatcher.wake(),
    });
    this.log = new DeliveryLog(this.store, now, () => this.dispatcher.wake());
    this.sources = new WebhookSources(this.intake, this.directory, newEventId, now, (err) =>
      options.logger.error({ err }, 'webhooks: could not take an event'),
    );
  }

  /** Listens to the realtime path (publishes, messages, presence, connections); returns the disposer. */
  attach(hooks: SourceHooks): () => void {
    return this.sources.attach(hooks);
  }

  /** Prepares the store and starts delivering (and sweeping old deliveries). */
  /** Events on this node waiting to be written to the delivery queue (the `realtime_queue_depth` metric). */
  get waitingEvents(): number {
    return this.intake.waitingCount;
  }

  async start(): Promise<void> {
    await this.store.ready();
    this.dispatcher.start();
    const { sweepIntervalMs } = this.settings;
    if (sweepIntervalMs > 0 && this.sweepTimer === undefined) {
      this.sweepTimer = setInterval(() => void this.sweep(), sweepIntervalMs);
      this.sweepTimer.unref();
    }
  }

  /**
   * Stops listening, writes waiting events to the queue, lets attempts in flight finish for up to
   * `graceMs` (default 2 s, never longer than one attempt's timeout; an attempt cut off stays
   * queued and is sent again), and closes the store. Safe to call more than once.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      this.sources.detach();
      if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
      await this.intake.flush();
      this.intake.stop();
      await this.dispatcher.close(Math.min(this.settings.requestTimeoutMs, options.graceMs ?? 2000));
      this.sender.close();
      await this.store.close();
    })();
    return this.closing;
  }

  /** Resolves once every event taken so far is in the queue (a test seam). */
  flush(): Promise<void> {
    return this.intake.flush();
  }

  /**
   * Creates an endpoint; the answer carries its secret (generated when none is given), the only
   * time it is shown.
   *
   * @throws InvalidArgumentError for a private address (unless allowed); LimitExceededError at the per-realm cap.
   */
  async create(realm: string, input: CreateWebhookInput): Promise<WebhookEndpointWithSecret> {
    await assertPublicUrl(input.url, this.settings.allowPrivateNetworks);
    const limit = this.settings.maxEndpointsPerRealm;
    if ((await this.store.countEndpoints(realm)) >= limit) {
      throw new LimitExceededError(`A realm may have at most ${limit} webhook endpoints`, { details: { limit } });
    }
    const now = this.settings.now();
    const secret = input.secret ?? generateWebhookSecret();
    const endpoint: StoredEndpoint = {
      id: newEndpointId(),
      realm,
      url: input.url,
      ...(input.description === undefined ? {} : { description: input.description }),
      events: input.events ?? [],
      topics: input.topics ?? [],
      active: true,
      secrets: [{ value: secret, createdAt: now }],
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insertEndpoint(endpoint);
    this.directory.invalidate(realm);
    return { ...endpointView(endpoint, now), secret };
  }

  /** A realm's endpoints, oldest first. */
  async list(realm: string): Promise<WebhookEndpointView[]> {
    const now = this.settings.now();
    return (await this.store.listEndpoints(realm)).map((endpoint) => endpointView(endpoint, now));
  }

  /** @throws NotFoundError */
  async get(realm: string, id: string): Promise<WebhookEndpointView> {
    return endpointView(await this.endpoint(realm, id), this.settings.now());
  }

  /** Changes url, events, topics or description. @throws NotFoundError, InvalidArgumentError */
  async update(realm: string, id: string, input: UpdateWebhookInput): Promise<WebhookEndpointView> {
    if (input.url !== undefined) await assertPublicUrl(input.url, this.settings.allowPrivateNetworks);
    return this.patch(realm, id, { ...input, updatedAt: this.settings.now() });
  }

  /**
   * Activates (paused deliveries resume, the failure run is forgotten) or deactivates (deliveries
   * pause; nothing new is queued) an endpoint. @throws NotFoundError
   */
  async setActive(realm: string, id: string, active: boolean): Promise<WebhookEndpointView> {
    const now = this.settings.now();
    const view = await this.patch(realm, id, {
      active,
      disabledReason: null,
      disabledAt: null,
      ...(active ? { resetFailures: true } : {}),
      updatedAt: now,
    });
    await this.store.moveDeliveries(realm, id, active ? 'paused' : 'pending', active ? 'pending' : 'paused', now);
    if (active) this.dispatcher.wake();
    return view;
  }

  /** Deletes an endpoint and its deliveries. @throws NotFoundError */
  async remove(realm: string, id: string): Promise<void> {
    if (!(await this.store.deleteEndpoint(realm, id))) throw notFound(id);
    this.directory.invalidate(realm);
  }

  /**
   * Replaces the secret; the previous one keeps signing for `gracePeriodMs` (default
   * `rotationGraceMs`), so both are sent while receivers switch. @throws NotFoundError
   */
  async rotateSecret(realm: string, id: string, input: RotateSecretInput): Promise<WebhookEndpointWithSecret> {
    const endpoint = await this.endpoint(realm, id);
    const now = this.settings.now();
    const secret = input.secret ?? generateWebhookSecret();
    const secrets = rotateSecrets(endpoint.secrets, secret, now, input.gracePeriodMs ?? this.settings.rotationGraceMs);
    const updated = await this.store.updateEndpoint(realm, id, { secrets, updatedAt: now });
    if (updated === undefined) throw notFound(id);
    this.directory.invalidate(realm);
    return { ...endpointView(updated, now), secret };
  }

  /** Queues a `webhook.test` event for one endpoint. @throws NotFoundError, InvalidArgumentError (inactive) */
  async sendTest(realm: string, id: string, userId: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.endpoint(realm, id);
    if (!endpoint.active) {
      throw new InvalidArgumentError(`Webhook ${id} is inactive: activate it before sending a test event`, {
        details: { issues: [{ path: 'id', message: 'the webhook is inactive' }] },
      });
    }
    return deliveryView(await this.intake.queueFor(endpoint, testDraft(realm, id, userId, newEventId, this.settings.now())));
  }

  /** An endpoint's deliveries, newest first. @throws NotFoundError */
  async deliveries(realm: string, id: string, query: Omit<DeliveryQuery, 'webhookId'>): Promise<WebhookDeliveryPage> {
    await this.endpoint(realm, id);
    return this.deliveryPage(realm, { ...query, webhookId: id });
  }

  /** Deliveries of a realm (optionally of one endpoint, status or event type), newest first. */
  deliveryPage(realm: string, query: DeliveryQuery): Promise<WebhookDeliveryPage> {
    return this.log.page(realm, query);
  }

  /**
   * Takes a delivery out of the dead-letter list and sends it again with a fresh schedule.
   *
   * @throws NotFoundError; ConflictError when it is not in the dead-letter list (`details.current`).
   */
  redeliver(realm: string, deliveryId: string): Promise<WebhookDeliveryView> {
    return this.log.redeliver(realm, deliveryId);
  }

  private async endpoint(realm: string, id: string): Promise<StoredEndpoint> {
    const endpoint = await this.store.getEndpoint(realm, id);
    if (endpoint === undefined) throw notFound(id);
    return endpoint;
  }

  private async patch(realm: string, id: string, patch: Parameters<WebhookStore['updateEndpoint']>[2]): Promise<WebhookEndpointView> {
    const updated = await this.store.updateEndpoint(realm, id, patch);
    if (updated === undefined) throw notFound(id);
    this.directory.invalidate(realm);
    return endpointView(updated, this.settings.now());
  }

  private reportDisabled(endpoint: StoredEndpoint, reason: WebhookDisabledReason): void {
    this.directory.invalidate(endpoint.realm);
    const { realm, id, consecutiveFailures, failingSince, disabledAt } = endpoint;
    this.options.logger.warn(
      { realm, webhookId: id, host: safeHost(endpoint.url), reason, consecutiveFailures, failingSince },
      reason === 'gone' ? 'webhooks: endpoint answered 410 Gone; disabled' : 'webhooks: endpoint kept failing; disabled',
    );
    this.options
      .publish({
        realm,
        topic: WEBHOOK_STATUS_TOPIC,
        source: 'api',
        type: 'webhook.disabled',
        payload: { webhookId: id, reason, consecutiveFailures, ...(failingSince === undefined ? {} : { failingSince }), disabledAt },
      })
      .catch((err: unknown) => this.options.logger.error({ err, realm, webhookId: id }, 'webhooks: could not report a disabled endpoint'));
  }

  private async sweep(): Promise<void> {
    const now = this.settings.now();
    try {
      await this.store.sweepDeliveries(now - this.settings.succeededRetentionMs, now - this.settings.deadLetterRetentionMs);
    } catch (err) {
      this.options.logger.warn({ err }, 'webhooks: could not remove old deliveries');
    }
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No webhook ${id}`, { details: { id } });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
