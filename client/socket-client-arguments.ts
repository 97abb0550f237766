import {
  InvalidArgumentError,
  channelNameSchema,
  documentRefSchema,
  messageEventSchema,
  parseInput,
  presenceStateSchema,
  type DocumentRef,
  type PresenceTarget,
} from '../shared/index.js';

/*
 * Argument checks of the socket client, with the server's own schemas (`shared/schemas/`): bad
 * arguments reject with InvalidArgumentError, worded as the server would, before anything is sent.
 */

/**
 * Throws `InvalidArgumentError` unless `channel` is a valid channel name.
 *
 * @example
 * assertChannel('chat:room1');
 */
export function assertChannel(channel: unknown): asserts channel is string {
  parseInput(channelNameSchema, channel, 'channel');
}

/**
 * Throws `InvalidArgumentError` unless `event` is a valid message event name.
 *
 * @example
 * assertEvent('typing');
 */
export function assertEvent(event: unknown): void {
  parseInput(messageEventSchema, event, 'event');
}

/**
 * Throws `InvalidArgumentError` unless `state` is a JSON object.
 *
 * @example
 * assertState({ status: 'away' });
 */
export function assertState(state: unknown): void {
  parseInput(presenceStateSchema, state, 'state');
}

/**
 * Checks a document reference; answers a copy with only `service` and `id`.
 *
 * @example
 * assertDocument({ service: 'notes', id: 'n1' });
 */
export function assertDocument(document: DocumentRef): DocumentRef {
  const { service, id } = parseInput(documentRefSchema, { service: document?.service, id: document?.id }, 'document');
  return { service, id };
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
