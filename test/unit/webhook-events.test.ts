import { describe, expect, it } from 'vitest';
import type { Principal, RealtimeEvent } from '../../shared/index.js';
import { connectionDrafts, messageDraft, presenceDraft, publishedDraft } from '../../server/webhooks/webhook-events.js';
import { endpointAccepts, topicMatches } from '../../server/webhooks/webhook-filter.js';

const base = (extra: Partial<RealtimeEvent>): RealtimeEvent => ({
  id: '01J',
  topic: 'orders.created',
  source: 'api',
  type: 'api.publish',
  payload: {},
  metadata: { timestamp: 1, realm: 'demo' },
  ...extra,
});

let counter = 0;
const newId = () => `id${(counter += 1)}`;

describe('webhook event types', () => {
  it('come from the origin of a published event, never from its topic alone', () => {
    const document = { service: 'notes', id: 'n1', revision: 2, data: { a: 1 }, createdAt: 1, updatedAt: 2 };
    const sync = publishedDraft(
      base({ source: 'sync', topic: 'sync.notes.updated', type: 'sync.updated', payload: { ...document, previousRevision: 1, patch: [] } }),
    );
    expect(sync.type).toBe('document.updated');
    expect(sync.event.payload).toEqual(document); // the `full` shape
    expect(publishedDraft(base({ source: 'sync', topic: 'sync.notes.created' })).type).toBe('document.created');
    expect(publishedDraft(base({ source: 'sync', topic: 'sync.notes.deleted' })).type).toBe('document.deleted');
    expect(publishedDraft(base({ source: 'database', topic: 'orders.updated' })).type).toBe('database.event');
    expect(publishedDraft(base({ source: 'socket', topic: 'presence.status', type: 'connectionStatusChanged' })).type).toBe('presence.updated');
    // Users may publish on topics that look like webhook topics: still event.published.
    for (const topic of ['socket.connect', 'socket.message', 'presence.updated', 'sync']) {
      expect(publishedDraft(base({ source: 'socket', topic })).type).toBe('event.published');
    }
  });

  it('wrap messages, presence and connections in RealtimeEvents', () => {
    const from = { userId: 'alice', connectionId: 'c1' };
    const channel = messageDraft({ kind: 'channel', message: { realm: 'demo', channel: 'lobby', event: 'chat', data: { t: 1 }, from, timestamp: 5 } }, newId);
    expect(channel).toEqual({
      type: 'socket.message',
      event: {
        id: expect.any(String),
        topic: 'socket.message',
        source: 'socket',
        type: 'channel.message',
        payload: { channel: 'lobby', event: 'chat', data: { t: 1 }, from },
        metadata: { timestamp: 5, realm: 'demo', publisher: 'alice' },
      },
    });
    const direct = messageDraft(
      { kind: 'direct', message: { realm: 'demo', event: 'ping', data: null, from, timestamp: 6 }, to: { connectionId: 'c2' }, recipients: 1 },
      newId,
    );
    expect(direct.event).toMatchObject({ type: 'direct.message', payload: { event: 'ping', to: { connectionId: 'c2' }, recipients: 1 } });

    const member = { userId: 'alice', connectionId: 'c1', joinedAt: 1, state: {} };
    const presence = presenceDraft({ realm: 'demo', channel: 'lobby', type: 'leave', member, userLeft: true, reason: 'disconnected' }, newId, 9);
    expect(presence).toMatchObject({
      type: 'presence.updated',
      event: {
        topic: 'presence.updated',
        type: 'presence.leave',
        payload: { channel: 'lobby', member, userLeft: true, reason: 'disconnected' },
        metadata: { realm: 'demo', timestamp: 9 },
      },
    });
    expect(presence.event.payload).not.toHaveProperty('realm');

    const principal = { userId: 'bob', realms: ['a', 'b', '*'] } as Principal;
    const drafts = connectionDrafts({ type: 'disconnect', connectionId: 'c9', principal, reason: 'transport close' }, newId, 7);
    expect(drafts.map((draft) => draft.event.metadata.realm)).toEqual(['a', 'b']);
    expect(drafts[0]).toMatchObject({
      type: 'socket.disconnect',
      event: { topic: 'socket.disconnect', payload: { connectionId: 'c9', userId: 'bob', reason: 'transport close' } },
    });
    expect(new Set(drafts.map((draft) => draft.event.id)).size).toBe(2);
  });
});

describe('endpoint filters', () => {
  it('match topic patterns by the permission rules, with dots', () => {
    expect(topicMatches('*', 'anything.at.all')).toBe(true);
    expect(topicMatches('orders.*', 'orders.created')).toBe(true);
    expect(topicMatches('orders.*', 'orders.item.added')).toBe(true);
    expect(topicMatches('orders.*', 'orders')).toBe(false);
    expect(topicMatches('orders.*', 'ordersx.created')).toBe(false);
    expect(topicMatches('sync.*.deleted', 'sync.notes.deleted')).toBe(true);
    expect(topicMatches('sync.*.deleted', 'sync.notes.updated')).toBe(false);
    expect(topicMatches('sync.*.deleted', 'sync.a.b.deleted')).toBe(false);
    expect(topicMatches('orders.created', 'orders.created')).toBe(true);
  });

  it('need the event type and the topic to match (empty lists match everything)', () => {
    const everything = { events: [], topics: [] };
    expect(endpointAccepts(everything, 'socket.connect', 'socket.connect')).toBe(true);
    const typed = { events: ['document.deleted' as const], topics: [] };
    expect(endpointAccepts(typed, 'document.deleted', 'sync.notes.deleted')).toBe(true);
    expect(endpointAccepts(typed, 'document.updated', 'sync.notes.updated')).toBe(false);
    const both = { events: ['event.published' as const], topics: ['orders.*'] };
    expect(endpointAccepts(both, 'event.published', 'orders.created')).toBe(true);
    expect(endpointAccepts(both, 'event.published', 'users.created')).toBe(false);
    expect(endpointAccepts(both, 'document.created', 'orders.created')).toBe(false);
    expect(endpointAccepts(both, 'webhook.test', 'webhook.test')).toBe(true);
  });
});
