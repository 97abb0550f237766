import { InvalidArgumentError } from './errors.js';
import { hexBytes } from './record-name.js';
import { isValidTopic } from './topic.js';

/**
 * The topic namespace of deepstream events: event `news/sports` is published on topic
 * `ds.news.sports`, so topic permissions (`topic/ds.news.*`), filters, history and recovery apply
 * to events as they are, and a `RealtimeClient` can subscribe to the same stream.
 *
 * @example
 * client.subscribe({ topic: `${EVENT_TOPIC_PREFIX}.news.sports` });
 */
export const EVENT_TOPIC_PREFIX = 'ds';

/** Characters an event name keeps as they are in its topic. */
const KEPT = /[a-z0-9-]/;

/**
 * The topic of a deepstream event name. Topics are dot-separated lowercase segments of
 * `a-z 0-9 _ -`, while event names are any case with `/` hierarchies, so: lowercase letters,
 * digits and `-` stay, `/` becomes `.`, and every other character (capitals, `_`, `.`, any other
 * Unicode) becomes `_` and the two lowercase hex digits of each of its UTF-8 bytes (`News` →
 * `_4eews`); the result is prefixed with `ds.`. Distinct names give distinct topics. A name with
 * an empty segment (`a//b`, a leading or trailing `/`) or whose topic would pass 200 characters
 * is refused with `InvalidArgumentError`.
 *
 * @example
 * eventTopic('news/sports');   // 'ds.news.sports'
 * eventTopic('chat/Room_1');   // 'ds.chat._52oom_5f1'
 */
export function eventTopic(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('An event name must be a non-empty string');
  let topic = `${EVENT_TOPIC_PREFIX}.`;
  for (const char of name) {
    if (char === '/') topic += '.';
    else if (KEPT.test(char)) topic += char;
    else topic += hexBytes(char);
  }
  if (!isValidTopic(topic)) {
    throw new InvalidArgumentError(`Event name ${JSON.stringify(name.slice(0, 64))} has an empty segment or is too long (at most 200 characters once encoded)`);
  }
  return topic;
}

/**
 * The event name of a `ds.*` topic (the inverse of {@link eventTopic}); `undefined` for a topic
 * outside the namespace or one no event name gives.
 *
 * @example
 * eventNameOf('ds.chat._52oom_5f1'); // 'chat/Room_1'
 */
export function eventNameOf(topic: string): string | undefined {
  if (!topic.startsWith(`${EVENT_TOPIC_PREFIX}.`)) return undefined;
  const bytes: number[] = [];
  const body = topic.slice(EVENT_TOPIC_PREFIX.length + 1);
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i]!;
    if (char === '.') bytes.push(0x2f);
    else if (char === '_') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(char.charCodeAt(0));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * The topic pattern of an event-name pattern: the parts between `*`s encoded as
 * {@link eventTopic} encodes names, the `*`s kept (`news/*` → `ds.news.*`), for listening. A `*`
 * matches any run of characters, `/` included (topics have no `/` segments).
 *
 * @example
 * eventTopicPattern('news/*'); // 'ds.news.*'
 */
export function eventTopicPattern(pattern: string): string {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new InvalidArgumentError('An event pattern must be a non-empty string');
  const parts = pattern.split('*').map((part) => {
    let out = '';
    for (const char of part) out += char === '/' ? '.' : KEPT.test(char) ? char : hexBytes(char);
    return out;
  });
  return `${EVENT_TOPIC_PREFIX}.${parts.join('*')}`;
}
