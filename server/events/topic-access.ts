import { ForbiddenError, isSyncTopic, type Principal } from '../../shared/index.js';
import { SERVER_ONLY_EVENT_TYPES, SERVER_ONLY_TOPICS } from './server-only-topics.js';
import { assertCan, can, topicResource } from '../auth/permissions.js';

/**
 * Whether a principal may subscribe to a topic: `R` on `topic/<topic>`. Document change topics
 * (`sync.*`) are open to every member of the realm because each delivery is checked against `R`
 * on the document itself.
 *
 * @example
 * if (!canSubscribe(principal, realm, 'order.updated')) revoke();
 */
export function canSubscribe(principal: Principal, realm: string, topic: string): boolean {
  return isSyncTopic(topic) || can(principal, realm, topicResource(topic), 'R');
}

/**
 * Throws `FORBIDDEN` unless the principal may subscribe to the topic.
 *
 * @example
 * assertCanSubscribe(principal, realm, request.topic);
 */
export function assertCanSubscribe(principal: Principal, realm: string, topic: string): void {
  if (!isSyncTopic(topic)) assertCan(principal, realm, topicResource(topic), 'R');
}

/**
 * Throws `FORBIDDEN` unless the principal may publish to the topic: `C` on `topic/<topic>`, and
 * never on topics only the server writes (`sync.*`, the sync service's, and
 * {@link SERVER_ONLY_TOPICS}: `presence.status`, `webhooks.status`) nor with an event type only
 * the server uses ({@link SERVER_ONLY_EVENT_TYPES}: `webhook.disabled`), so that nobody can forge
 * the server's reports.
 *
 * @example
 * assertCanPublish(principal, realm, 'order.updated', 'order.shipped');
 */
export function assertCanPublish(principal: Principal, realm: string, topic: string, type?: string): void {
  if (isSyncTopic(topic)) {
    throw new ForbiddenError('sync.* topics are published by the sync service only; write the document instead', {
      details: { realm, resource: topicResource(topic), permission: 'C' },
    });
  }
  const reserved = SERVER_ONLY_TOPICS.get(topic);
  if (reserved !== undefined) {
    throw new ForbiddenError(`${topic} is published by the server only (${reserved})`, {
      details: { realm, resource: topicResource(topic), permission: 'C' },
    });
  }
  if (type !== undefined && SERVER_ONLY_EVENT_TYPES.has(type)) {
    throw new ForbiddenError(`Events of type "${type}" are published by the server only`, {
      details: { realm, resource: topicResource(topic), permission: 'C', type },
    });
  }
  assertCan(principal, realm, topicResource(topic), 'C');
}
