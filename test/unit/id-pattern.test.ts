import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, matchesPattern } from '../../shared/index.js';

/**
 * A reference matcher written straight from the documented rules (the JSDoc of `matchesPattern`):
 * the pattern becomes a list of tokens (a literal character, `[^/]*` for a `*` inside a segment,
 * one non-`/` character then `[^/]*` for a whole inner `*` segment, anything for a trailing `*`)
 * and a memoized DP decides whether the whole id matches. Slow, obviously right, and never
 * exponential, so it can judge any input fast-check produces.
 */
type Token = { kind: 'char'; char: string } | { kind: 'nonSlash' } | { kind: 'segmentRun' } | { kind: 'anyRun' };

function tokens(pattern: string): Token[] {
  if (pattern === '*') return [{ kind: 'anyRun' }];
  if (!pattern.includes('*')) return [...pattern].map((char) => ({ kind: 'char', char }));
  const segments = pattern.split('/');
  const last = segments.length - 1;
  const result: Token[] = [];
  segments.forEach((segment, index) => {
    if (index > 0) result.push({ kind: 'char', char: '/' });
    const trailing = index === last && segment.endsWith('*');
    if (!trailing && segment === '*') {
      result.push({ kind: 'nonSlash' }, { kind: 'segmentRun' });
      return;
    }
    const body = trailing ? segment.slice(0, -1) : segment;
    for (const char of body) result.push(char === '*' ? { kind: 'segmentRun' } : { kind: 'char', char });
    if (trailing) result.push({ kind: 'anyRun' });
  });
  return result;
}

function referenceMatches(pattern: string, id: string): boolean {
  const list = tokens(pattern);
  const memo = new Map<number, boolean>();
  const width = id.length + 1;
  const at = (t: number, i: number): boolean => {
    if (t === list.length) return i === id.length;
    const key = t * width + i;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const token = list[t] as Token;
    const here = id[i];
    let answer: boolean;
    if (token.kind === 'char') answer = here === token.char && at(t + 1, i + 1);
    else if (token.kind === 'nonSlash') answer = here !== undefined && here !== '/' && at(t + 1, i + 1);
    else if (token.kind === 'segmentRun') answer = at(t + 1, i) || (here !== undefined && here !== '/' && at(t, i + 1));
    else answer = at(t + 1, i) || (here !== undefined && at(t, i + 1));
    memo.set(key, answer);
    return answer;
  };
  return at(0, 0);
}

/** The matcher this module used to build: a backtracking RegExp (fine on tiny inputs only). */
function regexMatches(pattern: string, id: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === id;
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const inSegment = (segment: string) => segment.split('*').map(escapeRegExp).join('[^/]*');
  const segments = pattern.split('/');
  const last = segments.length - 1;
  const source = segments
    .map((segment, index) => {
      if (index === last && segment.endsWith('*')) return `${inSegment(segment.slice(0, -1))}.*`;
      if (segment === '*') return '[^/]+';
      return inSegment(segment);
    })
    .join('/');
  return new RegExp(`^${source}$`, 's').test(id);
}

describe('matchesPattern on patterns that made a backtracking matcher exponential', () => {
  // Each of these would take longer than the age of the universe with the old RegExp matcher (the
  // test would never finish); a linear matcher answers at once. Only the answers are asserted.
  const long = 'a'.repeat(10_000);

  it('answers "***********!" against a long id without the "!"', () => {
    expect(matchesPattern('***********!', long)).toBe(false);
    expect(matchesPattern('***********!', `${long}!`)).toBe(true);
    expect(matchesPattern('***********!', `${long}!/x`)).toBe(false);
  });

  it('answers alternating stars and letters that almost match', () => {
    const pattern = `${'*a'.repeat(11)}*b`;
    expect(matchesPattern(pattern, long)).toBe(false);
    expect(matchesPattern(pattern, `${long}b`)).toBe(true);
    expect(matchesPattern(pattern, `${'a'.repeat(10)}b`)).toBe(false);
    expect(matchesPattern(pattern, `${'a'.repeat(11)}b`)).toBe(true);
  });

  it('answers 200 stars, and 40 star-letter pairs in every segment position, against 10k-character ids', () => {
    expect(matchesPattern(`${'*'.repeat(200)}!`, long)).toBe(false);
    expect(matchesPattern(`${'*'.repeat(200)}!`, `${long}!`)).toBe(true);
    const pairs = '*a'.repeat(40);
    expect(matchesPattern(`x/${pairs}*b/y`, `x/${long}/y`)).toBe(false);
    expect(matchesPattern(`x/${pairs}*b/y`, `x/${long}b/y`)).toBe(true);
    expect(matchesPattern(`x/${pairs}*b*`, `x/${long}/yb`)).toBe(false);
    expect(matchesPattern(`x/${pairs}*b*`, `x/${long}b/y/z`)).toBe(true);
    expect(matchesPattern(`${'*/'.repeat(40)}z`, `${'a/'.repeat(5000)}y`)).toBe(false);
  });

  it('treats a run of stars inside a segment as one star, and keeps a lone "*" segment non-empty', () => {
    expect(matchesPattern('doc/**/draft', 'doc//draft')).toBe(true);
    expect(matchesPattern('doc/*/draft', 'doc//draft')).toBe(false);
    expect(matchesPattern('doc/a***b/x', 'doc/ab/x')).toBe(true);
    expect(matchesPattern('doc/a***b/x', 'doc/a/b/x')).toBe(false);
  });

  it('compiles each pattern once', () => {
    expect(compilePattern('***********!')).toBe(compilePattern('***********!'));
  });
});

describe('matchesPattern against a reference matcher', () => {
  const alphabet = fc.constantFrom('/', '*', 'a', 'b', '.');
  const idAlphabet = fc.constantFrom('/', 'a', 'b', '.', '*');
  const pattern = fc.string({ unit: alphabet, minLength: 1, maxLength: 12 });
  const id = fc.string({ unit: idAlphabet, maxLength: 16 });
  /** Ids made from the pattern itself (each `*` replaced by some text), so that matches are common. */
  const patternAndRelatedId = pattern.chain((p) =>
    fc
      .array(fc.string({ unit: idAlphabet, maxLength: 4 }), { minLength: p.length, maxLength: p.length })
      .map((fills) => [p, [...p].map((char, index) => (char === '*' ? fills[index] : char)).join('')] as const),
  );

  it('agrees on random patterns and ids', () => {
    fc.assert(
      fc.property(pattern, id, (p, i) => {
        expect(matchesPattern(p, i)).toBe(referenceMatches(p, i));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on ids built from the pattern', () => {
    fc.assert(
      fc.property(patternAndRelatedId, ([p, i]) => {
        expect(matchesPattern(p, i)).toBe(referenceMatches(p, i));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the answers the former RegExp matcher gave (patterns with few stars)', () => {
    const fewStars = pattern.filter((p) => [...p].filter((char) => char === '*').length <= 4);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fewStars, id),
          patternAndRelatedId.filter(([p]) => [...p].filter((c) => c === '*').length <= 4),
        ),
        ([p, i]) => {
          expect(matchesPattern(p, i)).toBe(regexMatches(p, i));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees on the documented examples', () => {
    for (const [p, i] of [
      ['doc/*/draft', 'doc/notes/draft'],
      ['doc/*/draft', 'doc/a/b/draft'],
      ['topic/session.*', 'topic/session.status'],
      ['doc/no*s/x', 'doc/notes/x'],
      ['doc/notes/*', 'doc/notes/a/b'],
    ] as const) {
      expect(matchesPattern(p, i)).toBe(referenceMatches(p, i));
    }
  });
});
