import { RE2JS } from 're2js';

/** What Ajv needs of a compiled pattern (`code.regExp`). */
export interface RegExpLike {
  test(input: string): boolean;
  toString(): string;
}

/**
 * Compiles a JSON Schema `pattern` (or `patternProperties` key) with RE2 semantics (re2js, pure
 * JavaScript): matching time is linear in the input, whatever the pattern.
 *
 * Why this exists: schemas are written by tenants and applied to every payload published to a
 * topic. A backtracking pattern such as `^(a+)+$` against a crafted payload would hold the event
 * loop for seconds and freeze every other tenant's traffic. RE2 has no backreferences or
 * lookaround; a schema using them is refused when it is registered.
 *
 * @example
 * const ajv = new Ajv({ code: { regExp: linearRegExp } });
 */
export function linearRegExp(pattern: string, flags: string): RegExpLike {
  const compiled = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  return {
    test: (input) => compiled.matcher(input).find(),
    // Ajv keys its compiled patterns by this string: without it every pattern would share one.
    toString: () => `/${pattern}/${flags}`,
  };
}
// Ajv reads `code` from the function it is given.
linearRegExp.code = 'linearRegExp';
