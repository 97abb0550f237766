import { publishRequestSchema, parseInput, type RealtimeEvent } from '../../shared/index.js';
import type { PublishOptions } from '../realtime-realm.js';
import { RestChannelsClient } from './rest-channels.js';
import { RestDatabaseClient } from './rest-database.js';
import { RestPresenceClient } from './rest-presence.js';
import { realmOf, sendIn, type RestScope } from './rest-scope.js';
import { RestSyncClient } from './rest-sync.js';
import type { RestTransport } from './rest-transport.js';
import { RestWebhooksClient } from './rest-webhooks.js';

/**
 * The REST API in one realm: `publish`, `sync`, `channels`, `presence`, `webhooks`, `database`. A
 * `RealtimeRestClient` is the one of its `realm` option; `rest.realm(id)` gives another, over the
 * same transport and token.
 *
 * @example
 * const paris = rest.realm('paris');
 * await paris.publish('order.updated', { id: 'o1' });
 */
export class RestRealm {
  /** Sync documents (`/api/sync`). */
  readonly sync: RestSyncClient;
  /** Channel broadcasts, direct messages and the channel list (`/api/socket`). */
  readonly channels: RestChannelsClient;
  /** Channel, document and object presence, connection counts. */
  readonly presence: RestPresenceClient;
  /** Webhook endpoints, deliveries and dead letters (`/api/webhooks`, `admin` only). */
  readonly webhooks: RestWebhooksClient;
  /** Database mappings and the state of their sources (`/api/database/mappings`, `admin` only). */
  readonly database: RestDatabaseClient;
  private readonly scope: RestScope;

  constructor(transport: RestTransport, realm: string | undefined) {
    this.scope = { transport, realm };
    this.sync = new RestSyncClient(this.scope);
    this.channels = new RestChannelsClient(this.scope);
    this.presence = new RestPresenceClient(this.scope);
    this.webhooks = new RestWebhooksClient(this.scope);
    this.database = new RestDatabaseClient(this.scope);
  }

  /** The realm the calls name (`X-Realm`); `undefined`: the token's default realm. */
  get realmId(): string | undefined {
    return this.scope.realm;
  }

  /**
   * Publishes an event (`POST /api/events`) and resolves with the created `RealtimeEvent`
   * (`source: 'api'`, `type` default `'api.publish'`). Needs `C` on the topic; counts against the
   * `publishes` rate limits. A `RATE_LIMITED` refusal is retried after `retryAfterMs` (the server
   * published nothing); an `UNAVAILABLE` or timed-out one is thrown, not retried, since the event
   * may have been published (there is no idempotency key).
   */
  async publish(topic: string, payload: Record<string, unknown>, options: PublishOptions = {}): Promise<RealtimeEvent> {
    const { realm: _realm, ...body } = parseInput(
      publishRequestSchema,
      { ...realmOf(this.scope), topic, payload, ...(options.type === undefined ? {} : { type: options.type }) },
      'topic:publish request',
    );
    return sendIn(this.scope, { method: 'POST', path: '/api/events', body });
  }
}
