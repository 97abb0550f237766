import { ErrorCode, isSyncTopic, type ErrorShape, type PermissionLetter, type Principal } from '../../shared/index.js';
import { can, docResource, hasRealm, topicResource } from '../auth/permissions.js';
import { setKeyOf, type PresenceSetRef } from '../presence/presence-set.js';
import type { MembershipJudge } from '../presence/presence-reauthorization.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { RealtimeSocket } from '../socket-types.js';
import type { Subscription, SubscriptionIndex } from '../events/subscription-index.js';
import { canSubscribe } from '../topics/topic-rights.js';

/**
 * What {@link revokeUnpermitted} needs from the gateway.
 *
 * @example
 * const context: AccessRevocationContext = { subscriptions, presence };
 */
export interface AccessRevocationContext {
  subscriptions: SubscriptionIndex;
  presence: PresenceService;
}

/**
 * Takes away everything a connection's refreshed token (`socket.data.principal`, which replaced
 * `previous`) no longer allows, telling the client about each piece:
 * - topic subscriptions without `R` on the topic, or in a realm no longer granted, and document
 *   watches (a `sync.*` subscription filtered on one `id`) without `R` on that document:
 *   `subscription:revoked`;
 * - channels without `R`: left, `channel:revoked` with `left: true`; channels still readable but
 *   without `P`: hidden from presence, still a member, `channel:revoked` with `left: false`;
 * - open documents without `P`: closed, `document:revoked`;
 * - data providers: re-derived from the new `dpv` (providers no longer covered go `disconnected`,
 *   new ones `connected`), and the connection record carries the new realms.
 * Others in a left (or hidden) set see a `leave` with reason `revoked`. Every notice carries a
 * `FORBIDDEN` error with details `{ realm, resource, permission }`. Resolves once all of it is done
 * and every notice is sent, so the client hears of each before its refresh is acknowledged.
 *
 * @example
 * socket.data.principal = principal;
 * await revokeUnpermitted(socket, previous, { subscriptions, presence });
 */
export async function revokeUnpermitted(socket: RealtimeSocket, previous: Principal, context: AccessRevocationContext): Promise<void> {
  const { subscriptions, presence } = context;
  const principal = socket.data.principal;
  for (const subscription of subscriptions.ofSocket(socket.id)) {
    const denied = deniedSubscription(principal, subscription);
    if (denied === undefined) continue;
    subscriptions.remove(socket.id, subscription.id);
    if (!subscriptions.hasRoom(socket.id, subscription.room)) void socket.leave(subscription.room);
    socket.emit('subscription:revoked', {
      subscriptionId: subscription.id,
      error: forbidden(principal, subscription.realm, denied, 'R'),
    });
  }

  const judge: MembershipJudge = (realm, set, visible) => {
    const resource = setKeyOf(set);
    if (set.kind === 'document') return can(principal, realm, resource, 'P') ? 'keep' : 'leave';
    if (!can(principal, realm, resource, 'R')) return 'leave';
    return visible && !can(principal, realm, resource, 'P') ? 'hide' : 'keep';
  };
  for (const { realm, set, outcome } of await presence.reauthorize(socket, previous, judge)) {
    const resource = setKeyOf(set);
    if (set.kind === 'channel') {
      const left = outcome === 'left';
      socket.emit('channel:revoked', { realm, channel: set.name, left, error: forbidden(principal, realm, resource, left ? 'R' : 'P') });
    } else {
      socket.emit('document:revoked', { realm, document: documentOf(set), error: forbidden(principal, realm, resource, 'P') });
    }
  }
}

/** The resource a subscription may no longer read under `principal`; undefined when it may. */
function deniedSubscription(principal: Principal, subscription: Subscription): string | undefined {
  const { realm, topic } = subscription;
  if (!hasRealm(principal, realm) || !canSubscribe(principal, realm, topic)) return topicResource(topic);
  const watched = watchedDocument(subscription);
  if (watched !== undefined && !can(principal, realm, watched, 'R')) return watched;
  return undefined;
}

/**
 * The document a `sync.<service>.<action>` subscription filtered on exactly one `id` watches (what
 * `client.sync.subscribe` makes), as a resource id.
 */
function watchedDocument(subscription: Subscription): string | undefined {
  if (!isSyncTopic(subscription.topic)) return undefined;
  const service = subscription.topic.split('.')[1];
  const id = subscription.filter?.['id'];
  return service !== undefined && typeof id === 'string' ? docResource(service, id) : undefined;
}

function forbidden(principal: Principal, realm: string, resource: string, permission: PermissionLetter): ErrorShape {
  const message = hasRealm(principal, realm)
    ? `The refreshed token no longer permits ${permission} on ${resource} in realm "${realm}"`
    : `The refreshed token no longer grants realm "${realm}"`;
  return { code: ErrorCode.FORBIDDEN, message, details: { realm, resource, permission } };
}

function documentOf(set: PresenceSetRef & { kind: 'document' }): { service: string; id: string } {
  return { service: set.service, id: set.id };
}
