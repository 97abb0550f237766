import fc from 'fast-check';
import { DeepJson } from './fuzz-json.js';

/**
 * Values an attacker or a buggy client sends where the server expects something well-formed: the
 * building blocks the socket and REST fuzzers mix into otherwise valid requests.
 */

/** One lone UTF-16 surrogate (ill-formed Unicode that JSON still carries as `\ud800`). */
export const loneSurrogate: fc.Arbitrary<string> = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Names that reach object prototypes or look like something special. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'] as const;

/** Strings that have broken parsers, routers and pattern matchers before. */
export const TRICKY_STRINGS = [
  '',
  ' ',
  '.',
  '..',
  '*',
  '**',
  '/',
  '//',
  '\\',
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%2e%2e',
  '\u0000',
  '\uFFFD',
  '\uFEFF',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '0x10',
  '${x}',
  '{{x}}',
  '<script>',
  "'; DROP TABLE x; --",
  '../../etc/passwd',
  '***********!',
  `${'*'.repeat(11)}!`,
  'a*a*a*a*a*a*a*a*a*a*!',
  ...PROTOTYPE_NAMES,
] as const;

/** A string from {@link TRICKY_STRINGS}. */
export const trickyString: fc.Arbitrary<string> = fc.constantFrom(...TRICKY_STRINGS);

/** A string holding a lone surrogate somewhere. */
export const illFormedString: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 8 }), loneSurrogate, fc.string({ maxLength: 8 }))
  .map(([before, surrogate, after]) => `${before}${surrogate}${after}`);

/** A long string: past most length limits (up to 200 kB, under Socket.IO's 1 MB frame limit). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('x', 'é', '*', '😀', '\\', '"'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Any string: ordinary, full Unicode, control characters, tricky, ill-formed or huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  { weight: 4, arbitrary: trickyString },
  { weight: 2, arbitrary: illFormedString },
  { weight: 1, arbitrary: hugeString },
);

/**
 * An object whose own key is `__proto__` (or another prototype name): built with `JSON.parse`,
 * which creates the own property instead of setting the prototype, exactly as the server's JSON
 * parser sees it.
 */
export const prototypeKeyObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom(...PROTOTYPE_NAMES),
    fc.jsonValue({ maxDepth: 2 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  )
  .map(([key, value, rest]) => {
    const json = JSON.stringify(rest);
    const inner = `${JSON.stringify(key)}:${JSON.stringify(value ?? null)}`;
    return JSON.parse(json === '{}' ? `{${inner}}` : `{${inner},${json.slice(1)}`) as Record<string, unknown>;
  });

/**
 * `[[[...]]]` or `{"a":{"a":...}}` nested `depth` levels, as a {@link DeepJson} that the fuzzers'
 * encoder writes out as text (deeper than `JSON.stringify` could).
 */
export function nested(depth: number, shape: 'array' | 'object'): DeepJson {
  return new DeepJson(depth, shape);
}

/** A deeply nested value: a few levels up to well past the ~4,100 levels that broke JSON handling. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.oneof(fc.integer({ min: 20, max: 200 }), fc.integer({ min: 1_000, max: 20_000 })), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, shape]) => nested(depth, shape));

/** Numbers JSON and validators trip over. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, Number.MIN_SAFE_INTEGER, 1e308, -1e308, Number.EPSILON),
);

/**
 * Anything at all: wrong types, prototype keys, deep nesting, huge strings, binary attachments
 * (typed arrays travel as Socket.IO binary parts), or fast-check's `anything()`.
 */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: true, withTypedArray: true, withSparseArray: true, stringUnit: 'binary' }),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false, [], {}) },
  { weight: 1, arbitrary: prototypeKeyObject },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
);

/**
 * `valid` most of the time (11 in 12), else something hostile: how each field of a fuzzed request is drawn.
 *
 * @example
 * const realm = mostly(fc.constantFrom('london', 'paris'));
 */
export function mostly<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = hostileValue): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 11, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile });
}

/**
 * A record of fields drawn by `fields` (those in `required` always present, `rare` ones now and
 * then, the others half the time), plus sometimes an unknown or prototype-named key, and now and
 * then without a required field. Each request shape is built this way, so most requests are
 * nearly valid and reach deep into the handlers, while every field is also tried with wrong values.
 *
 * @example
 * const subscribe = fuzzRecord({ topic: topicArb, since: positionArb }, ['topic'], ['since']);
 */
export function fuzzRecord(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[] = [],
  rare: readonly string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  const requiredKeys = Object.keys(fields).filter((key) => required.includes(key));
  const common: Record<string, fc.Arbitrary<unknown>> = {};
  const seldom: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, arbitrary] of Object.entries(fields)) {
    if (rare.includes(key)) seldom[key] = fc.oneof({ weight: 6, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary });
    else common[key] = arbitrary;
  }
  return fc
    .tuple(
      fc.record(common, { requiredKeys }),
      fc.record(seldom),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, 'extra', 'realm', 'data'), fc.string({ maxLength: 10 })) },
      ),
      hostileValue,
      fc.integer({ min: 0, max: 19 }),
    )
    .map(([record, rareFields, extraKey, extraValue, dice]) => {
      const out: Record<string, unknown> = { ...record };
      for (const [key, value] of Object.entries(rareFields)) if (value !== ABSENT) out[key] = value;
      // Now and then leave out a required field.
      if (dice === 0 && requiredKeys.length > 0) delete out[requiredKeys[0] as string];
      // An own property even for `__proto__` (plain assignment would set the prototype).
      if (extraKey !== null) Object.defineProperty(out, extraKey, { value: extraValue, enumerable: true, writable: true, configurable: true });
      return out;
    });
}

/**
 * A request that needs exactly one of two fields (`userId` or `connectionId`, `channel` or
 * `document`): mostly one of them, sometimes both or neither.
 *
 * @example
 * exactlyOne({ event }, ['event'], { userId, connectionId });
 */
export function exactlyOne(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[],
  alternatives: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(alternatives);
  const one = names.map((name) => ({
    weight: 4,
    arbitrary: fuzzRecord({ ...fields, [name]: alternatives[name] as fc.Arbitrary<unknown> }, [...required, name]),
  }));
  return fc.oneof(
    ...one,
    { weight: 1, arbitrary: fuzzRecord({ ...fields, ...alternatives }, [...required, ...names]) },
    { weight: 1, arbitrary: fuzzRecord(fields, required) },
  );
}

/** Marks a rare field left out. */
const ABSENT: unique symbol = Symbol('absent');
