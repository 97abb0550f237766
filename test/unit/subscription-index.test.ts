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

  it('keeps rooms, modes and counts right as a room goes from one connection to several and back', () => {
    const index = new SubscriptionIndex();
    const room = topicRoom('demo', 'order.updated');
    const changes: string[] = [];
    index.onRoomChange(({ room: changed, present }) => changes.push(`${changed} ${present}`));
    index.add(sub('s1', 'a'));
    index.add(sub('s1', 'b', { returnMode: 'diff' }));
    expect(index.roomSize(room)).toBe(1);
    expect(index.uniformMode(room)).toBeUndefined();
    index.add(sub('s2', 'a', { returnMode: 'diff' }));
    index.add(sub('s3', 'a', { returnMode: 'diff' }));
    expect(index.roomSize(room)).toBe(3);
    index.remove('s1', 'a');
    expect(index.uniformMode(room)).toBe('diff');
    expect(index.removeSocket('s2').map((s) => s.id)).toEqual(['a']);
    expect(index.removeSocket('s1').map((s) => s.id)).toEqual(['b']);
    expect(index.roomSize(room)).toBe(1);
    expect(index.hasRoom('s3', room)).toBe(true);
    expect(index.hasRoom('s1', room)).toBe(false);
    expect([...index.recipients(room, {})]).toEqual([['s3', 'diff']]);
    expect(index.total()).toBe(1);
    index.remove('s3', 'a');
    expect(index.roomSize(room)).toBe(0);
    expect(index.total()).toBe(0);
    expect(changes).toEqual([`${room} true`, `${room} false`]);
  });

  it("finds, counts and replaces each of a connection's many subscriptions by id", () => {
    const index = new SubscriptionIndex();
    for (let i = 0; i < 5; i += 1) index.add(sub('s1', `id${i}`, { topic: `t${i}`, room: topicRoom('demo', `t${i}`) }));
    expect(index.count('s1')).toBe(5);
    expect(index.get('s1', 'id3')?.topic).toBe('t3');
    index.add(sub('s1', 'id3', { topic: 't0', room: topicRoom('demo', 't0'), returnMode: 'both' }));
    expect(index.count('s1')).toBe(5);
    expect(index.roomSize(topicRoom('demo', 't3'))).toBe(0);
    expect([...index.recipients(topicRoom('demo', 't0'), {})]).toEqual([['s1', 'both']]);
    expect(index.ofSocket('s1').map((s) => s.id)).toEqual(['id0', 'id1', 'id2', 'id4', 'id3']);
  });
});
