import { broadcastRequestSchema, parseInput, type ChannelPublishResult, type DirectSendResult } from '../../shared/index.js';
import type { ChannelSummary } from './rest-results.js';
import { checkedRequest, realmOf, sendIn, type RestScope } from './rest-scope.js';

/**
 * Channels and direct messages for backends (`/api/socket/*`): `rest.channels`. A REST caller is
 * never a member, so `broadcast` needs `C` on the channel from the `service` or `admin` role or a
 * `per` grant (the `client` role publishes only as a member, over the socket); members see
 * `from: { userId: <caller>, connectionId: null }`. Both messages count against the `messages`
 * rate limits, and a `RATE_LIMITED` refusal is retried after `retryAfterMs` (the server sent
 * nothing); an `UNAVAILABLE` one is thrown (the message may have gone out).
 *
 * @example
 * await rest.channels.broadcast('announcements', 'message', { text: 'Maintenance at 18:00' });
 * await rest.channels.directMessage({ userId: 'bob' }, 'notification', { text: 'Your order shipped' });
 */
export class RestChannelsClient {
  constructor(private readonly scope: RestScope) {}

  /** The active channels whose presence the caller may read (`P`), with their member counts. */
  async list(): Promise<ChannelSummary[]> {
    return sendIn(this.scope, { method: 'GET', path: '/api/socket/channels' });
  }

  /** Sends `event` with `data` to every member of `channel`. */
  async broadcast(channel: string, event: string, data?: unknown): Promise<ChannelPublishResult> {
    const { realm: _realm, ...body } = parseInput(
      broadcastRequestSchema,
      { ...realmOf(this.scope), channel, event, ...(data === undefined ? {} : { data }) },
      'broadcast request',
    );
    return sendIn(this.scope, { method: 'POST', path: '/api/socket/broadcast', body });
  }

  /**
   * Sends to one connection (its id) or to every connection of a user in the realm; resolves
   * `{ realm, recipients }`, or rejects with `NotFoundError` when there is none. Needs `C` on
   * `user/<recipient>`.
   */
  async directMessage(target: string | { userId: string }, event: string, data?: unknown): Promise<DirectSendResult> {
    const recipient = typeof target === 'string' ? { connectionId: target } : { userId: target.userId };
    const { realm: _realm, ...body } = checkedRequest('direct:send', {
      ...realmOf(this.scope),
      ...recipient,
      event,
      ...(data === undefined ? {} : { data }),
    });
    return sendIn(this.scope, { method: 'POST', path: '/api/socket/direct', body });
  }
}
