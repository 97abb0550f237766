/**
 * Topic names are dot-separated lowercase segments of letters, digits, `_` and `-`:
 * `session.status`, `order.updated`, `sync.notes.updated`.
 */
export const TOPIC_PATTERN = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

/** Longest topic name accepted. */
export const MAX_TOPIC_LENGTH = 200;

/**
 * Whether `topic` is a valid topic name.
 *
 * @example
 * isValidTopic('session.status'); // true
 * isValidTopic('Session..Status'); // false
 */
export function isValidTopic(topic: unknown): topic is string {
  return typeof topic === 'string' && topic.length <= MAX_TOPIC_LENGTH && TOPIC_PATTERN.test(topic);
}

/**
 * Realm ids: letters, digits, `_` and `-`, 1 to 64 characters (they prefix Socket.IO room names).
 */
export const REALM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Whether `realm` is a valid realm id.
 *
 * @example
 * isValidRealm('acme-prod'); // true
 */
export function isValidRealm(realm: unknown): realm is string {
  return typeof realm === 'string' && REALM_PATTERN.test(realm);
}
