import {
  ALL_REALMS,
  PRESENCE_STATUS_TOPIC,
  WEBHOOK_TOPICS,
  type ObjectChangeRelay,
  type PresenceEvent,
  type RealtimeEvent,
  type WebhookDeliveryEventType,
  type WebhookEventType,
} from '../../shared/index.js';
import type { SentMessage } from '../channels/channel-messenger.js';
import type { ConnectionEvent } from '../gateway/realtime-gateway.js';
import { shapeSyncEvent } from '../sync/sync-event-shaper.js';

/**
 * An event on its way to webhooks: the RealtimeEvent that becomes the body, and its webhook type.
 *
 * @example
 * const draft: WebhookEventDraft = { type: 'event.published', event };
 */
export interface WebhookEventDraft {
  type: WebhookDeliveryEventType;
  event: RealtimeEvent;
}

const DOCUMENT_ACTIONS: Readonly<Record<string, WebhookEventType>> = {
  created: 'document.created',
  updated: 'document.updated',
  deleted: 'document.deleted',
};

/**
 * The webhook type of an event the publisher delivered, decided by its origin (only the server
 * publishes `sync.*` and `presence.status`, so a client cannot pass its events off as those), and
 * the event as a subscriber with the default return mode (`full`) receives it.
 *
 * @example
 * publishedDraft(event); // { type: 'document.updated', event: { topic: 'sync.notes.updated', ... } }
 */
export function publishedDraft(event: RealtimeEvent): WebhookEventDraft {
  if (event.source === 'sync') {
    const action = event.topic.slice(event.topic.lastIndexOf('.') + 1);
    return { type: DOCUMENT_ACTIONS[action] ?? 'event.published', event: shapeSyncEvent(event, 'full') };
  }
  if (event.source === 'database') return { type: 'database.event', event };
  if (event.topic === PRESENCE_STATUS_TOPIC) return { type: 'presence.updated', event };
  return { type: 'event.published', event };
}

/**
 * A channel or direct message as a `socket.message` webhook event (topic `socket.message`, type
 * `channel.message` or `direct.message`).
 *
 * @example
 * messageDraft({ kind: 'channel', message }, newId);
 */
export function messageDraft(sent: SentMessage, newId: () => string): WebhookEventDraft {
  const { message } = sent;
  const payload: Record<string, unknown> =
    sent.kind === 'channel'
      ? { channel: sent.message.channel, event: message.event, data: message.data, from: message.from }
      : { event: message.event, data: message.data, from: message.from, to: sent.to, recipients: sent.recipients };
  return {
    type: 'socket.message',
    event: {
      id: newId(),
      topic: WEBHOOK_TOPICS.socketMessage,
      source: 'socket',
      type: sent.kind === 'channel' ? 'channel.message' : 'direct.message',
      payload,
      metadata: { timestamp: message.timestamp, realm: message.realm, publisher: message.from.userId },
    },
  };
}

/**
 * A connection opening or closing as `socket.connect` / `socket.disconnect` events, one per realm
 * the token names (a token granting every realm, `*`, names none in particular and produces none).
 *
 * @example
 * connectionDrafts({ type: 'connect', connectionId, principal }, newId, Date.now());
 */
export function connectionDrafts(change: ConnectionEvent, newId: () => string, now: number): WebhookEventDraft[] {
  const type = change.type === 'connect' ? 'socket.connect' : 'socket.disconnect';
  const topic = change.type === 'connect' ? WEBHOOK_TOPICS.socketConnect : WEBHOOK_TOPICS.socketDisconnect;
  const payload: Record<string, unknown> = {
    connectionId: change.connectionId,
    userId: change.principal.userId,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  };
  return change.principal.realms
    .filter((realm) => realm !== ALL_REALMS)
    .map((realm) => ({
      type,
      event: { id: newId(), topic, source: 'socket', type, payload, metadata: { timestamp: now, realm, publisher: change.principal.userId } },
    }));
}

/**
 * A channel or document presence change (join, leave, update) as a `presence.updated` event
 * (topic `presence.updated`, type `presence.join` / `presence.leave` / `presence.update`, the
 * presence event without its realm as payload).
 *
 * @example
 * presenceDraft({ realm, channel: 'lobby', type: 'join', member, userJoined: true }, newId, Date.now());
 */
export function presenceDraft(presence: PresenceEvent, newId: () => string, now: number): WebhookEventDraft {
  const { realm, ...payload } = presence;
  return {
    type: 'presence.updated',
    event: {
      id: newId(),
      topic: WEBHOOK_TOPICS.presenceUpdated,
      source: 'socket',
      type: `presence.${presence.type}`,
      payload: payload as Record<string, unknown>,
      metadata: { timestamp: now, realm },
    },
  };
}

/**
 * The event `POST /api/webhooks/:id/test` sends.
 *
 * @example
 * testDraft('demo', 'wh_01...', 'admin', newId, Date.now());
 */
export function testDraft(realm: string, webhookId: string, userId: string, newId: () => string, now: number): WebhookEventDraft {
  return {
    type: 'webhook.test',
    event: {
      id: newId(),
      topic: WEBHOOK_TOPICS.test,
      source: 'api',
      type: 'webhook.test',
      payload: { webhookId, message: 'A test event from the Realtime Platform' },
      metadata: { timestamp: now, realm, publisher: userId },
    },
  };
}

/**
 * An object or area write as a webhook event: type and topic `object.created` (... `area.deleted`),
 * the object or area as payload (a deleted one's last state). Status changes and location-only
 * writes make none (`undefined`): `presence.updated` reports the first, and a location stream would
 * flood endpoints with the second.
 *
 * @example
 * objectDraft({ kind: 'object', realm: 'london', op: 'created', object, cause: 'write' }, newId, Date.now());
 */
export function objectDraft(change: ObjectChangeRelay, newId: () => string, now: number): WebhookEventDraft | undefined {
  if (change.kind === 'object') {
    if (change.cause === 'status' || change.locationOnly === true) return undefined;
    return entityDraft(`object.${change.op}`, change.realm, { ...change.object }, newId, now);
  }
  if (change.kind === 'area') return entityDraft(`area.${change.op}`, change.realm, { ...change.area }, newId, now);
  return undefined;
}

function entityDraft(type: WebhookEventType, realm: string, payload: Record<string, unknown>, newId: () => string, now: number): WebhookEventDraft {
  return { type, event: { id: newId(), topic: type, source: 'socket', type, payload, metadata: { timestamp: now, realm } } };
}
