import {
  InvalidArgumentError,
  isValidChannelName,
  isValidDocumentId,
  isValidMessageEvent,
  isValidServiceName,
  type DocumentRef,
  type PresenceTarget,
} from '../shared/index.js';

/*
 * Argument checks of the socket client: bad arguments reject with InvalidArgumentError before
 * anything is sent.
 */

/**
 * Throws `InvalidArgumentError` unless `channel` is a valid channel name.
 *
 * @example
 * assertChannel('chat:room1');
 */
export function assertChannel(channel: unknown): asserts channel is string {
  if (!isValidChannelName(channel)) {
    throw new InvalidArgumentError(
      `Invalid channel ${JSON.stringify(channel)}: use 1-128 letters, digits or _ . : @ -, e.g. "chat:room1"`,
    );
  }
}

/**
 * Throws `InvalidArgumentError` unless `event` is a valid message event name.
 *
 * @example
 * assertEvent('typing');
 */
export function assertEvent(event: unknown): void {
  if (!isValidMessageEvent(event)) {
    throw new InvalidArgumentError(`Invalid event ${JSON.stringify(event)}: use 1-100 letters, digits or _ . : -`);
  }
}

/**
 * Throws `InvalidArgumentError` unless `state` is a JSON object.
 *
 * @example
 * assertState({ status: 'away' });
 */
export function assertState(state: unknown): void {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new InvalidArgumentError('state must be a JSON object');
  }
}

/**
 * Checks a document reference; answers a copy with only `service` and `id`.
 *
 * @example
 * assertDocument({ service: 'notes', id: 'n1' });
 */
export function assertDocument(document: DocumentRef): DocumentRef {
  if (!isValidServiceName(document.service) || !isValidDocumentId(document.id)) {
    throw new InvalidArgumentError(`Invalid document ${JSON.stringify(document)}: needs a valid service and id`);
  }
  return { service: document.service, id: document.id };
}

/**
 * The wire fields naming a presence target: `{ channel }` or `{ document }`.
 *
 * @example
 * targetFields('lobby'); // { channel: 'lobby' }
 */
export function targetFields(target: PresenceTarget): { channel: string } | { document: DocumentRef } {
  if (typeof target === 'string') {
    assertChannel(target);
    return { channel: target };
  }
  if (typeof target === 'object' && target !== null) return { document: assertDocument(target) };
  throw new InvalidArgumentError('A presence target is a channel name or { service, id }');
}

/**
 * A document's key in the client's bookkeeping.
 *
 * @example
 * documentKey({ service: 'notes', id: 'n1' }); // 'notes/n1'
 */
export function documentKey(document: DocumentRef): string {
  return `${document.service}/${document.id}`;
}
