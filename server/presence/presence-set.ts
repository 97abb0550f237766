import type { DocumentRef } from '../../shared/index.js';
import { channelResource, docResource } from '../auth/permissions.js';

/**
 * A presence set: the members of a channel, or the connections that have a document open.
 *
 * @example
 * const set: PresenceSetRef = { kind: 'channel', name: 'lobby' };
 */
export type PresenceSetRef = { kind: 'channel'; name: string } | { kind: 'document'; service: string; id: string };

/**
 * The set's key in the store, which is also its permission resource id: `channel/<name>` or
 * `doc/<service>/<id>`.
 *
 * @example
 * setKeyOf({ kind: 'channel', name: 'lobby' }); // 'channel/lobby'
 */
export function setKeyOf(set: PresenceSetRef): string {
  return set.kind === 'channel' ? channelResource(set.name) : docResource(set.service, set.id);
}

/**
 * The set a store key names (channel names, services and document ids hold no `/`).
 *
 * @example
 * parseSetKey('doc/notes/n1'); // { kind: 'document', service: 'notes', id: 'n1' }
 */
export function parseSetKey(setKey: string): PresenceSetRef | undefined {
  const [kind, first, second, ...rest] = setKey.split('/');
  if (kind === 'channel' && first !== undefined && second === undefined) return { kind: 'channel', name: first };
  if (kind === 'doc' && first !== undefined && second !== undefined && rest.length === 0) {
    return { kind: 'document', service: first, id: second };
  }
  return undefined;
}

/**
 * The fields that name the set in presence events: `{ channel }` or `{ document }`.
 *
 * @example
 * setFields({ kind: 'document', service: 'notes', id: 'n1' }); // { document: { service: 'notes', id: 'n1' } }
 */
export function setFields(set: PresenceSetRef): { channel: string } | { document: DocumentRef } {
  return set.kind === 'channel' ? { channel: set.name } : { document: { service: set.service, id: set.id } };
}

/**
 * The Socket.IO room of a channel's messages. Room names always start with the realm.
 *
 * @example
 * channelRoom('demo', 'lobby'); // 'demo:channel:lobby'
 */
export function channelRoom(realm: string, channel: string): string {
  return `${realm}:channel:${channel}`;
}

/**
 * The Socket.IO room of a set's presence events: its members that may read presence (`P`).
 *
 * @example
 * presenceRoom('demo', 'doc/notes/n1'); // 'demo:presence:doc/notes/n1'
 */
export function presenceRoom(realm: string, setKey: string): string {
  return `${realm}:presence:${setKey}`;
}
