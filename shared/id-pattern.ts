/**
 * Id patterns (Hivekit rules), shared by permissions (`per` grants), data-provider claims (`dpv`)
 * and the `{ like: pattern }` filter condition, so that one pattern means the same thing
 * everywhere.
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
  const segments = pattern.split('/');
  const last = segments.length - 1;
  const source = segments
    .map((segment, index) => {
      if (index === last && segment.endsWith('*')) return `${segmentSource(segment.slice(0, -1))}.*`;
      if (segment === '*') return '[^/]+';
      return segmentSource(segment);
    })
    .join('/');
  // `s`: a trailing `*` matches the rest whatever characters it holds.
  const regex = new RegExp(`^${source}$`, 's');
  return (id) => regex.test(id);
}

/** Regex source for one segment: literal text, each `*` matching within the segment only. */
function segmentSource(segment: string): string {
  return segment.split('*').map(escapeRegExp).join('[^/]*');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
