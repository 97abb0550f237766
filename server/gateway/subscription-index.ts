import {
  matchesFilter,
  type SubscriptionFilter,
  type SyncEventReturnMode,
} from '../../shared/index.js';

/**
 * One live topic subscription of one connection.
 */
export interface Subscription {
  id: string;
  socketId: string;
  realm: string;
  topic: string;
  /** The Socket.IO room of (realm, topic). */
  room: string;
  filter?: SubscriptionFilter;
  returnMode: SyncEventReturnMode;
}

/**
 * The Socket.IO room for a topic in a realm. Room names always start with the realm.
 *
 * @example
 * topicRoom('demo', 'order.updated'); // 'demo:topic:order.updated'
 */
export function topicRoom(realm: string, topic: string): string {
  return `${realm}:topic:${topic}`;
}

/**
 * This node's topic subscriptions, indexed by connection and by room, so that delivering an event
 * costs one filter check per subscription in its room and nothing for other rooms.
 *
 * @example
 * const index = new SubscriptionIndex();
 * index.add(subscription);
 * index.recipients('demo:topic:order.updated', payload); // Map socketId → returnMode
 */
export class SubscriptionIndex {
  private readonly bySocket = new Map<string, Map<string, Subscription>>();
  private readonly byRoom = new Map<string, Map<string, Subscription[]>>();

  /** Adds (or replaces, by id) a subscription. Returns the one it replaced, if any. */
  add(subscription: Subscription): Subscription | undefined {
    const previous = this.remove(subscription.socketId, subscription.id);
    let own = this.bySocket.get(subscription.socketId);
    if (own === undefined) this.bySocket.set(subscription.socketId, (own = new Map()));
    own.set(subscription.id, subscription);
    let room = this.byRoom.get(subscription.room);
    if (room === undefined) this.byRoom.set(subscription.room, (room = new Map()));
    const list = room.get(subscription.socketId);
    if (list === undefined) room.set(subscription.socketId, [subscription]);
    else list.push(subscription);
    return previous;
  }

  /** Removes one subscription; returns it, or undefined when the connection had no such id. */
  remove(socketId: string, subscriptionId: string): Subscription | undefined {
    const own = this.bySocket.get(socketId);
    const subscription = own?.get(subscriptionId);
    if (own === undefined || subscription === undefined) return undefined;
    own.delete(subscriptionId);
    if (own.size === 0) this.bySocket.delete(socketId);
    const room = this.byRoom.get(subscription.room);
    const list = room?.get(socketId);
    if (room !== undefined && list !== undefined) {
      const remaining = list.filter((entry) => entry !== subscription);
      if (remaining.length > 0) room.set(socketId, remaining);
      else room.delete(socketId);
      if (room.size === 0) this.byRoom.delete(subscription.room);
    }
    return subscription;
  }

  /** Removes every subscription of a connection (on disconnect). */
  removeSocket(socketId: string): Subscription[] {
    const own = [...(this.bySocket.get(socketId)?.values() ?? [])];
    for (const subscription of own) this.remove(socketId, subscription.id);
    return own;
  }

  /** Whether a connection still has any subscription in a room. */
  hasRoom(socketId: string, room: string): boolean {
    return this.byRoom.get(room)?.has(socketId) ?? false;
  }

  /** A connection's subscriptions. */
  ofSocket(socketId: string): Subscription[] {
    return [...(this.bySocket.get(socketId)?.values() ?? [])];
  }

  /** How many subscriptions a connection holds. */
  count(socketId: string): number {
    return this.bySocket.get(socketId)?.size ?? 0;
  }

  /**
   * The connections that must receive an event in `room`, each once, with the richest return mode
   * among its matching subscriptions.
   */
  recipients(room: string, payload: unknown): Map<string, SyncEventReturnMode> {
    const result = new Map<string, SyncEventReturnMode>();
    const sockets = this.byRoom.get(room);
    if (sockets === undefined) return result;
    for (const [socketId, subscriptions] of sockets) {
      let mode: SyncEventReturnMode | undefined;
      for (const subscription of subscriptions) {
        if (!matchesFilter(subscription.filter, payload)) continue;
        mode = mode === undefined ? subscription.returnMode : richerMode(mode, subscription.returnMode);
      }
      if (mode !== undefined) result.set(socketId, mode);
    }
    return result;
  }
}

function richerMode(a: SyncEventReturnMode, b: SyncEventReturnMode): SyncEventReturnMode {
  return a === b ? a : 'both';
}
