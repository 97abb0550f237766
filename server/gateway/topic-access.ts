import { ForbiddenError, PRESENCE_STATUS_TOPIC, isSyncTopic, type Principal } from '../../shared/index.js';
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
 * never on topics only the server writes: `sync.*` (the sync service) and `presence.status`.
 *
 * @example
 * assertCanPublish(principal, realm, 'order.updated');
 */
export function assertCanPublish(principal: Principal, realm: string, topic: string): void {
  if (isSyncTopic(topic)) {
    throw new ForbiddenError('sync.* topics are published by the sync service only; write the document instead', {
      details: { realm, resource: topicResource(topic), permission: 'C' },
    });
  }
  if (topic === PRESENCE_STATUS_TOPIC) {
    throw new ForbiddenError(`${PRESENCE_STATUS_TOPIC} is published by the server only (data-provider presence)`, {
      details: { realm, resource: topicResource(topic), permission: 'C' },
    });
  }
  assertCan(principal, realm, topicResource(topic), 'C');
}
