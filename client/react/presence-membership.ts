import type { PresenceEvent, PresenceMember, PresenceState, PresenceTarget } from '../../shared/index.js';
import type { RealtimeClient } from '../realtime-client.js';
import type { SocketClient } from '../socket-client.js';
import type { LiveResource, LiveSink } from './live-resource.js';
import type { LiveResourceCache } from './live-resource.js';

/**
 * A channel joined (or a document opened) by this client, and who else is there.
 *
 * @example
 * const names = membership.members.map(({ userId }) => userId);
 */
export interface Membership {
  /** The members that appear in presence, in join order, this connection included (empty without `P`). */
  members: PresenceMember[];
  /** This connection as a member. */
  self: PresenceMember;
  /** Whether this connection appears in presence (it needs `P`). */
  presence: boolean;
}

/**
 * The socket client of `realm`.
 *
 * @example
 * await socketClientOf(client, 'demo').publish('chat:lobby', 'message', { text: 'hi' });
 */
export function socketClientOf(client: RealtimeClient, realm: string): SocketClient {
  return realm === client.realmId ? client.socketClient : client.realm(realm).socketClient;
}

/**
 * The cache key of a membership.
 *
 * @example
 * membershipKey('demo', { service: 'notes', id: 'n1' });
 */
export function membershipKey(realm: string, target: PresenceTarget): string {
  return typeof target === 'string' ? `channel\u0000${realm}\u0000${target}` : `open\u0000${realm}\u0000${target.service}\u0000${target.id}`;
}

/**
 * The shared membership of `target` in `realm`: joined (or opened) when its first component
 * mounts, with `state` as the first presence state, and left when the last unmounts, so two
 * components in the same channel never leave it under each other.
 *
 * @example
 * const resource = membershipResource(client, resources, 'demo', 'chat:lobby', { status: 'online' });
 */
export function membershipResource(
  client: RealtimeClient,
  resources: LiveResourceCache,
  realm: string,
  target: PresenceTarget,
  state: PresenceState | undefined,
): LiveResource<Membership> {
  return resources.get<Membership>(membershipKey(realm, target), (sink) => join(socketClientOf(client, realm), realm, target, state, sink));
}

function join(sc: SocketClient, realm: string, target: PresenceTarget, state: PresenceState | undefined, sink: LiveSink<Membership>): () => void {
  let stopped = false;
  const options = state === undefined ? {} : { state };
  const joined =
    typeof target === 'string'
      ? sc.joinChannel(target, options).then(({ member, presence, members }) => ({ self: member, presence, members: members ?? [] }))
      : sc.openDocument(target.service, target.id, options).then(({ member, members }) => ({ self: member, presence: true, members }));
  joined.then(
    (membership) => {
      if (!stopped) sink.next(membership);
    },
    (err: unknown) => {
      if (!stopped) sink.error(err);
    },
  );
  const offPresence = sc.on('presence', (event) => {
    if (event.realm !== realm || !concerns(event, target)) return;
    sink.patch((current) => applyPresence(current, event));
  });
  // After a reconnect the channel is re-joined by the client; who is there now (this connection
  // included) is read again.
  const offRejoined = sc.on('rejoined', ({ channel }) => {
    if (typeof target !== 'string' || channel !== target) return;
    sc.members(target).then(
      // This connection's member is new too (a new connection id).
      (members) => sink.patch((current) => ({ ...current, members, self: members.find((member) => member.connectionId === sc.id) ?? current.self })),
      () => {}, // without P there are no members to read
    );
  });
  return () => {
    stopped = true;
    offPresence();
    offRejoined();
    const leaving = typeof target === 'string' ? sc.leaveChannel(target) : sc.closeDocument(target.service, target.id);
    leaving.catch(() => {}); // a destroyed or disconnected client has left already
  };
}

function concerns(event: PresenceEvent, target: PresenceTarget): boolean {
  if (typeof target === 'string') return event.channel === target;
  return event.document?.service === target.service && event.document.id === target.id;
}

/**
 * The members after one presence event: joins append (keyed by connection), updates replace the
 * state, leaves remove.
 *
 * @example
 * const next = applyPresence(membership, { type: 'leave', member, ... });
 */
export function applyPresence(membership: Membership, event: PresenceEvent): Membership {
  const others = membership.members.filter((member) => member.connectionId !== event.member.connectionId);
  if (event.type === 'leave') return { ...membership, members: others };
  const index = membership.members.findIndex((member) => member.connectionId === event.member.connectionId);
  if (index === -1) return { ...membership, members: [...membership.members, event.member] };
  const members = [...membership.members];
  members[index] = event.member;
  return { ...membership, members };
}
