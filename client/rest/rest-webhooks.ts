import type { WebhookDeliveryPage, WebhookDeliveryView, WebhookEndpointView, WebhookEndpointWithSecret } from '../../shared/index.js';
import type { CreateWebhookInput, DeadLetterQuery, DeliveriesQuery, DeliveryLogQuery, RotateSecretInput, UpdateWebhookInput } from './rest-results.js';
import { segment, sendIn, type RestScope, type ScopedCall } from './rest-scope.js';

/**
 * Webhook management (`/api/webhooks`): `rest.webhooks`, every route the server has. Every call
 * needs the `admin` role in the realm (`ForbiddenError` otherwise); endpoints and deliveries of
 * other realms answer `NotFoundError`. Bad input is `InvalidArgumentError` with
 * `details.issues` from the server (these routes have no socket event, so no shared schema to
 * check them with before sending). Reads are retried on `UNAVAILABLE` and timeouts; changes are not.
 *
 * @example
 * const { id, secret } = await rest.webhooks.create({ url: 'https://api.example.com/hooks', events: ['document.updated'] });
 * const { items } = await rest.webhooks.deadLetters({ webhookId: id });
 * for (const delivery of items) await rest.webhooks.redeliver(delivery.id);
 */
export class RestWebhooksClient {
  constructor(private readonly scope: RestScope) {}

  /** Registers an endpoint (`201`); the answer is the only time its `secret` is shown, with `rotateSecret`'s. */
  async create(input: CreateWebhookInput): Promise<WebhookEndpointWithSecret> {
    return this.send({ method: 'POST', path: '/api/webhooks', body: input });
  }

  /** The realm's endpoints, oldest first, without secrets. */
  async list(): Promise<WebhookEndpointView[]> {
    return this.send({ method: 'GET', path: '/api/webhooks' });
  }

  async get(id: string): Promise<WebhookEndpointView> {
    return this.send({ method: 'GET', path: endpointPath(id) });
  }

  /** Changes `url`, `events`, `topics` or `description` (`null` removes it). */
  async update(id: string, changes: UpdateWebhookInput): Promise<WebhookEndpointView> {
    return this.send({ method: 'PATCH', path: endpointPath(id), body: changes });
  }

  /** Removes the endpoint and its deliveries. */
  async delete(id: string): Promise<void> {
    await this.send({ method: 'DELETE', path: endpointPath(id) });
  }

  /** Turns deliveries back on; paused ones resume. */
  async activate(id: string): Promise<WebhookEndpointView> {
    return this.send({ method: 'POST', path: `${endpointPath(id)}/activate` });
  }

  /** Pauses deliveries. */
  async deactivate(id: string): Promise<WebhookEndpointView> {
    return this.send({ method: 'POST', path: `${endpointPath(id)}/deactivate` });
  }

  /** A new secret (given or generated); the old one keeps signing for `gracePeriodMs`. */
  async rotateSecret(id: string, input: RotateSecretInput = {}): Promise<WebhookEndpointWithSecret> {
    return this.send({ method: 'POST', path: `${endpointPath(id)}/rotate-secret`, body: input });
  }

  /** Queues a `webhook.test` delivery (`202`); `InvalidArgumentError` while the endpoint is inactive. */
  async test(id: string): Promise<WebhookDeliveryView> {
    return this.send({ method: 'POST', path: `${endpointPath(id)}/test` });
  }

  /** One endpoint's deliveries, newest first. */
  async deliveries(id: string, query: DeliveriesQuery = {}): Promise<WebhookDeliveryPage> {
    return this.send({ method: 'GET', path: `${endpointPath(id)}/deliveries`, query: { ...query } });
  }

  /** The realm's delivery log, newest first. */
  async logs(query: DeliveryLogQuery = {}): Promise<WebhookDeliveryPage> {
    return this.send({ method: 'GET', path: '/api/webhooks/logs', query: { ...query } });
  }

  /** Failed deliveries (every attempt failed), newest first. */
  async deadLetters(query: DeadLetterQuery = {}): Promise<WebhookDeliveryPage> {
    return this.send({ method: 'GET', path: '/api/webhooks/dead-letters', query: { ...query } });
  }

  /**
   * Takes a dead letter out of the list and queues it again (`202`); `ConflictError` (with
   * `details.current`) when it is no longer a dead letter.
   */
  async redeliver(deliveryId: string): Promise<WebhookDeliveryView> {
    return this.send({ method: 'POST', path: `/api/webhooks/dead-letters/${segment(deliveryId)}/redeliver` });
  }

  private send<T>(call: ScopedCall): Promise<T> {
    return sendIn<T>(this.scope, call);
  }
}

function endpointPath(id: string): string {
  return `/api/webhooks/${segment(id)}`;
}
