import type { Logger } from 'pino';
import type { PresenceEvent, PresenceLeaveReason, PresenceMember } from '../../shared/index.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RealtimeIo } from '../socket-types.js';
import { publishStatusChanges } from './data-provider-presence.js';
import { parseSetKey, presenceRoom, setFields, setKeyOf, type PresenceSetRef } from './presence-set.js';
import type { MemberRecord, PresenceCleanup, RealmStatusChange } from './presence-store.js';

/** A presence event without the fields that name its realm and set. */
export type PresenceEventBody = DistributiveOmit<PresenceEvent, 'realm' | 'channel' | 'document'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Turns presence changes into what clients see: `presence:changed` on a set's presence room (the
 * members that may read presence, on every node through the adapter) and `connectionStatusChanged`
 * RealtimeEvents on `presence.status`.
 *
 * @example
 * const announcer = new PresenceAnnouncer(io, publisher, logger);
 * announcer.announce(cleanup, 'disconnected');
 */
export class PresenceAnnouncer {
  constructor(
    private readonly io: RealtimeIo,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
  ) {}

  private readonly listeners = new Set<(event: PresenceEvent) => void>();
  private readonly statusListeners = new Set<(changes: RealmStatusChange[]) => void>();

  /**
   * Calls `listener` with each batch of data-provider status changes this node announces (a
   * connect, a disconnect, a refresh, a swept node). It must return at once. Returns its disposer.
   */
  onStatusChanges(listener: (changes: RealmStatusChange[]) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Calls `listener` with every presence event emitted (join, leave, update). It runs on the
   * realtime path: it must return at once. Returns its disposer.
   */
  onEvent(listener: (event: PresenceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a presence event to a set's members, except one connection (the one that caused it). */
  emit(realm: string, set: PresenceSetRef, body: PresenceEventBody, exceptConnectionId?: string): void {
    const event = { realm, ...setFields(set), ...body } as PresenceEvent;
    const room = this.io.to(presenceRoom(realm, setKeyOf(set)));
    (exceptConnectionId === undefined ? room : room.except(exceptConnectionId)).emit('presence:changed', event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err }, 'presence: an event listener failed');
      }
    }
  }

  /** Announces what a cleanup removed: `leave` for each visible member, and status changes. */
  announce(cleanup: PresenceCleanup, reason: PresenceLeaveReason): void {
    for (const removed of cleanup.members) {
      const set = parseSetKey(removed.setKey);
      if (set === undefined || !removed.member.visible) continue;
      this.emit(removed.realm, set, { type: 'leave', member: publicMember(removed.member), userLeft: removed.userLeft, reason });
    }
    this.publishStatus(cleanup.statusChanges);
  }

  /** Publishes data-provider status changes on `presence.status`. */
  publishStatus(changes: RealmStatusChange[]): void {
    if (changes.length === 0) return;
    publishStatusChanges(this.publisher, changes, (err) => {
      this.logger.error({ err }, 'presence: could not publish connectionStatusChanged');
    });
    for (const listener of this.statusListeners) {
      try {
        listener(changes);
      } catch (err) {
        this.logger.error({ err }, 'presence: a status listener failed');
      }
    }
  }
}

/**
 * A stored member as clients see it.
 *
 * @example
 * publicMember(record); // { userId, connectionId, joinedAt, state }
 */
export function publicMember(record: MemberRecord): PresenceMember {
  return { userId: record.userId, connectionId: record.connectionId, joinedAt: record.joinedAt, state: record.state };
}
