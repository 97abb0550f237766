/**
 * Id patterns (Hivekit rules), shared by permissions (`per` grants), data-provider claims (`dpv`)
 * and the `{ like: pattern }` filter condition, so that one pattern means the same thing
 * everywhere.
 *
 * Why matching is hand-written rather than a RegExp: patterns come from tenants (filters, token
 * claims, webhook endpoints), and a backtracking regex built from a run of `*`s takes exponential
 * time on an id that almost matches (a 12-byte `***********!` filter froze the server for seconds
 * per event). Here a pattern is split into its `/` segments once; an id is walked segment by
 * segment (the counts line up, except that a trailing `*` takes the rest), and within a segment
 * the literal parts between `*`s are placed left to right with `indexOf`, the first anchored at
 * the segment's start and the last at its end. Nothing is ever retried: each literal part is
 * searched for once, so a match costs at most the id's length times the pattern's (V8's `indexOf`
 * is usually linear; the Lua port's plain `string.find` is the naive search), whatever the stars,
 * and patterns are capped at 512 characters. The Lua port in
 * server/presence/redis-presence-store.ts takes the same steps.
 */

/**
 * A compiled id pattern: answers whether an id matches.
 *
 * @example
 * const matches: PatternMatcher = compilePattern('doc/notes/*');
 * matches('doc/notes/a'); // true
 */
export type PatternMatcher = (id: string) => boolean;

/**
 * How many compiled patterns are kept; beyond this the oldest is dropped (and recompiled if it
 * comes back). Patterns come from tokens, subscriptions and code, so the set in use is small, but a
 * bound keeps a stream of distinct patterns from growing memory without limit.
 *
 * @example
 * PATTERN_CACHE_LIMIT; // 1000
 */
export const PATTERN_CACHE_LIMIT = 1000;

const patternCache = new Map<string, PatternMatcher>();

const matchAll: PatternMatcher = () => true;

/**
 * Compiles an id pattern once and returns the cached matcher (the same function for the same
 * pattern until it is evicted). {@link matchesPattern} is the usual entry point; this is exported
 * for callers that match one pattern against many ids, and as a test seam for the cache.
 *
 * @example
 * const riders = compilePattern('object/riders/*');
 * ids.filter(riders);
 */
export function compilePattern(pattern: string): PatternMatcher {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  const matcher = buildMatcher(pattern);
  if (patternCache.size >= PATTERN_CACHE_LIMIT) {
    const oldest = patternCache.keys().next();
    if (oldest.done !== true) patternCache.delete(oldest.value);
  }
  patternCache.set(pattern, matcher);
  return matcher;
}

/**
 * Whether `id` matches `pattern` (Hivekit rules):
 * - an exact id matches only itself;
 * - `*` alone matches everything;
 * - a trailing `*` matches the rest, across segments (`doc/notes/*`; `topic/session.*` is the
 *   prefix `topic/session.` followed by anything);
 * - a `*` that is a whole inner segment matches exactly one segment (`doc/*\/draft`);
 * - a `*` inside an inner segment matches any characters within that segment (`doc/no*s/x`).
 *
 * @example
 * matchesPattern('doc/*\/draft', 'doc/notes/draft'); // true
 * matchesPattern('doc/*\/draft', 'doc/a/b/draft'); // false
 * matchesPattern('topic/session.*', 'topic/session.status'); // true
 */
export function matchesPattern(pattern: string, id: string): boolean {
  return compilePattern(pattern)(id);
}

/**
 * Whether a string is a pattern (holds a `*`) rather than an exact id.
 *
 * @example
 * isPattern('riders/*'); // true
 * isPattern('riders/7'); // false
 */
export function isPattern(value: string): boolean {
  return value.includes('*');
}

function buildMatcher(pattern: string): PatternMatcher {
  if (pattern === '*') return matchAll;
  const firstStar = pattern.indexOf('*');
  if (firstStar === -1) return (id) => id === pattern;
  if (firstStar === pattern.length - 1) {
    // The common shape (`topic/*`, `doc/notes/*`, `topic/session.*`): a plain prefix test.
    const prefix = pattern.slice(0, -1);
    return (id) => id.startsWith(prefix);
  }
  const sources = pattern.split('/');
  const last = sources.length - 1;
  // A trailing `*` lets the id run on past the pattern's last segment; otherwise the id has
  // exactly as many segments as the pattern.
  const open = (sources[last] as string).endsWith('*');
  const segments = sources.map((source, index) => segmentMatcher(source, index < last));
  return (id) => {
    let start = 0;
    for (let index = 0; index <= last; index += 1) {
      const slash = id.indexOf('/', start);
      if (slash === -1 ? index < last : index === last && !open) return false;
      const end = slash === -1 ? id.length : slash;
      if (!(segments[index] as SegmentMatcher)(id, start, end)) return false;
      start = end + 1;
    }
    return true;
  };
}

/** Whether one segment of an id, `id.slice(start, end)`, matches one segment of a pattern. */
type SegmentMatcher = (id: string, start: number, end: number) => boolean;

/**
 * Compiles one pattern segment. `inner`: not the pattern's last segment (a trailing `*` of the
 * last segment is matched here as a `*` within the segment; the caller lets the id go on).
 */
function segmentMatcher(source: string, inner: boolean): SegmentMatcher {
  // A whole inner `*` matches exactly one segment, which must not be empty (`doc//draft` is not
  // `doc/*/draft`). A run such as `**` is a within-segment star and may match nothing.
  if (inner && source === '*') return (_id, start, end) => end > start;
  const parts = source.split('*');
  if (parts.length === 1) return (id, start, end) => end - start === source.length && id.startsWith(source, start);
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  // A run of stars leaves empty parts between them: one star does what the run did.
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  const fixed = head.length + tail.length;
  return (id, start, end) => {
    if (end - start < fixed || !id.startsWith(head, start) || !id.startsWith(tail, end - tail.length)) return false;
    if (middle.length === 0) return true;
    // Leftmost placement of each literal part leaves the most room for the next, so one pass of
    // indexOf decides: nothing is ever retried.
    // Searched in place (no slice on the hot path): each part must end before the tail starts.
    const stop = end - tail.length;
    let cursor = start + head.length;
    for (const part of middle) {
      const found = id.indexOf(part, cursor);
      if (found === -1 || found + part.length > stop) return false;
      cursor = found + part.length;
    }
    return true;
  };
}
