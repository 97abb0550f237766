import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, eventTopic, isValidDocumentId, isValidTopic, recordDocumentId, recordNameOf } from '../../shared/index.js';

describe('record names as document ids', () => {
  it('keeps the usual names readable: / becomes .', () => {
    expect(recordDocumentId('user/lisa')).toBe('user.lisa');
    expect(recordDocumentId('Cars-2')).toBe('Cars-2');
  });

  it('escapes every other character so that distinct names give distinct ids, and decodes them back', () => {
    const names = ['a.b', 'a/b', 'a_b', 'a_2eb', 'ünï/cödé', 'x y', 'emoji/😀', '.', 'a//b'];
    const ids = names.map(recordDocumentId);
    expect(new Set(ids).size).toBe(names.length);
    for (const [i, id] of ids.entries()) {
      expect(isValidDocumentId(id)).toBe(true);
      expect(recordNameOf(id)).toBe(names[i]);
    }
    expect(recordDocumentId('a.b')).toBe('a_2eb');
    expect(recordDocumentId('a_b')).toBe('a_5fb');
  });

  it('refuses names no document id can hold', () => {
    expect(() => recordDocumentId('')).toThrow(InvalidArgumentError);
    expect(() => recordDocumentId('/')).toThrow(InvalidArgumentError);
    expect(() => recordDocumentId('//')).toThrow(InvalidArgumentError);
    expect(() => recordDocumentId('a'.repeat(129))).toThrow(/at most 128/);
    expect(() => recordDocumentId('é'.repeat(22))).toThrow(InvalidArgumentError); // 22 × 6 characters
    expect(() => recordNameOf('a_zz')).toThrow(InvalidArgumentError);
  });
});

describe('event names as ds.* topics', () => {
  it('maps / to . under the ds namespace and escapes capitals and other characters', () => {
    expect(eventTopic('news/sports')).toBe('ds.news.sports');
    expect(eventTopic('chat/Room_1')).toBe('ds.chat._52oom_5f1');
    const names = ['News', 'news', 'a.b', 'a/b', 'a_b', 'café'];
    const topics = names.map(eventTopic);
    expect(new Set(topics).size).toBe(names.length);
    for (const topic of topics) expect(isValidTopic(topic)).toBe(true);
  });

  it('refuses empty segments and names too long for a topic', () => {
    for (const name of ['', '/a', 'a/', 'a//b']) expect(() => eventTopic(name)).toThrow(InvalidArgumentError);
    expect(() => eventTopic('a'.repeat(198))).toThrow(/at most 200/);
  });
});
