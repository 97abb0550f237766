import { describe, expect, it } from 'vitest';
import { SubscriptionIndex, topicRoom, type Subscription } from '../../server/events/subscription-index.js';

function sub(socketId: string, id: string, extra: Partial<Subscription> = {}): Subscription {
  const realm = extra.realm ?? 'demo';
  const topic = extra.topic ?? 'order.updated';
  return { id, socketId, realm, topic, room: topicRoom(realm, topic), returnMode: 'full', ...extra };
}

describe('SubscriptionIndex', () => {
  it('names rooms by realm first', () => {
    expect(topicRoom('acme', 'order.updated')).toBe('acme:topic:order.updated');
  });

  it('returns each matching connection once, with the richest return mode', () => {
    const index = new SubscriptionIndex();
    index.add(sub('s1', 'a'));
    index.add(sub('s1', 'b', { filter: { n: 1 }, returnMode: 'diff' }));
    index.add(sub('s2', 'a', { filter: { n: 2 } }));
    index.add(sub('s3', 'a', { realm: 'other' }));
    expect([...index.recipients(topicRoom('demo', 'order.updated'), { n: 1 })]).toEqual([['s1', 'both']]);
    expect([...index.recipients(topicRoom('demo', 'order.updated'), { n: 2 })]).toEqual([
      ['s1', 'full'],
      ['s2', 'full'],
    ]);
  });

  it('replaces a subscription with the same id and cleans up empty rooms', () => {
    const index = new SubscriptionIndex();
    index.add(sub('s1', 'a'));
    const previous = index.add(sub('s1', 'a', { topic: 'order.created', room: topicRoom('demo', 'order.created') }));
    expect(previous?.topic).toBe('order.updated');
    expect(index.count('s1')).toBe(1);
    expect(index.hasRoom('s1', topicRoom('demo', 'order.updated'))).toBe(false);
    expect(index.removeSocket('s1').map((s) => s.id)).toEqual(['a']);
    expect(index.recipients(topicRoom('demo', 'order.created'), {}).size).toBe(0);
    expect(index.remove('s1', 'a')).toBeUndefined();
  });
});
