import { InvalidArgumentError } from '../../../shared/index.js';
import type { MatchableObject } from './matchable-object.js';

/**
 * Hivekit attribute filters (`where`): `'type="scooter"'`, `'charge>0.3'`, `'$id!="x"'`,
 * `'battery.level<=2'`.
 *
 * Grammar, spaces allowed around each part: `attribute operator value`.
 * - attribute: `$id`, `$label`, `$connectionStatus`, or a data key; dots step into nested objects
 *   (`a.b` is `data.a.b`). Key segments are any characters but spaces, `. " = ! < >`; no empty segment.
 * - operator: `=`, `!=`, `<`, `>`, `<=`, `>=`.
 * - value: a double-quoted string (`\"` and `\\` are the only escapes), a JSON number, `true`,
 *   `false` or `null`.
 *
 * Parsing is one left-to-right pass with no backtracking, so its cost is linear in the length.
 * Errors are `InvalidArgumentError`s naming the condition (its index in `where`) and the 1-based
 * position of the offending character.
 *
 * Matching: `=` and `!=` compare by JSON equality (the string `"1"` is not the number `1`; an
 * object or array never equals a value); `<`, `>`, `<=`, `>=` compare two numbers, or two strings
 * by UTF-16 code units, and are false for any other pair. An attribute the object does not have
 * matches nothing but `!=` (it is not equal to the value; `x!=null` therefore matches objects
 * without `x`, while `x=null` matches only an explicit `null`). All conditions must hold (AND).
 */

/**
 * The operators of a where condition.
 *
 * @example
 * const operator: WhereOperator = '>=';
 */
export type WhereOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';

/**
 * A value a where condition compares with.
 *
 * @example
 * const value: WhereValue = 'scooter';
 */
export type WhereValue = string | number | boolean | null;

/**
 * One parsed where condition.
 *
 * @example
 * parseWhereCondition('charge>0.3'); // { attribute: { kind: 'data', path: ['charge'] }, operator: '>', value: 0.3 }
 */
export interface WhereCondition {
  attribute: { kind: 'id' | 'label' | 'connectionStatus' } | { kind: 'data'; path: readonly string[] };
  operator: WhereOperator;
  value: WhereValue;
}

/**
 * Whether an object satisfies a list of where conditions.
 *
 * @example
 * const matches: ObjectPredicate = compileWhere(['type="scooter"']);
 */
export type ObjectPredicate = (object: MatchableObject) => boolean;

const SPECIAL_ATTRIBUTES: Record<string, WhereCondition['attribute']> = {
  $id: { kind: 'id' },
  $label: { kind: 'label' },
  $connectionStatus: { kind: 'connectionStatus' },
};

/**
 * Parses one condition; `index` names it in errors (its place in `where`).
 *
 * @example
 * parseWhereCondition('$id!="riders/7"'); // { attribute: { kind: 'id' }, operator: '!=', value: 'riders/7' }
 * parseWhereCondition('charge>'); // throws InvalidArgumentError: where[0] ("charge>"): expected a value at position 8
 */
export function parseWhereCondition(text: string, index = 0): WhereCondition {
  return new ConditionScanner(text, index).condition();
}

/**
 * Parses a `where` list and compiles it into one predicate (all conditions AND; an empty list
 * matches every object).
 *
 * @example
 * const matches = compileWhere(['type="scooter"', 'charge>0.3']);
 * matches({ id: 's/1', label: '', connectionStatus: 'connected', location: null, data: { type: 'scooter', charge: 0.5 } }); // true
 */
export function compileWhere(where: readonly string[] = []): ObjectPredicate {
  const conditions = where.map((text, index) => parseWhereCondition(text, index));
  if (conditions.length === 0) return () => true;
  return (object) => conditions.every((condition) => matchesCondition(condition, object));
}

/**
 * Whether one parsed condition holds for an object (see the matching rules above).
 *
 * @example
 * matchesCondition(parseWhereCondition('charge>0.3'), scooter);
 */
export function matchesCondition(condition: WhereCondition, object: MatchableObject): boolean {
  const actual = readAttribute(condition.attribute, object);
  const expected = condition.value;
  switch (condition.operator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    default:
      if (typeof actual === 'number' && typeof expected === 'number') return compare(condition.operator, actual, expected);
      if (typeof actual === 'string' && typeof expected === 'string') return compare(condition.operator, actual, expected);
      return false;
  }
}

function compare<T extends number | string>(operator: '<' | '>' | '<=' | '>=', actual: T, expected: T): boolean {
  switch (operator) {
    case '<':
      return actual < expected;
    case '>':
      return actual > expected;
    case '<=':
      return actual <= expected;
    case '>=':
      return actual >= expected;
  }
}

/** The attribute's value, or `undefined` when the object does not have it. */
function readAttribute(attribute: WhereCondition['attribute'], object: MatchableObject): unknown {
  switch (attribute.kind) {
    case 'id':
      return object.id;
    case 'label':
      return object.label;
    case 'connectionStatus':
      return object.connectionStatus;
    case 'data': {
      let current: unknown = object.data;
      for (const key of attribute.path) {
        if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
        if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
        current = (current as Record<string, unknown>)[key];
      }
      return current;
    }
  }
}

/** Characters that end an attribute key segment. */
const KEY_STOPS = new Set([' ', '\t', '.', '"', '=', '!', '<', '>']);

/** One pass over one condition's text; every method advances `at` and never looks back. */
class ConditionScanner {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly index: number,
  ) {}

  condition(): WhereCondition {
    this.spaces();
    const attribute = this.attribute();
    this.spaces();
    const operator = this.operator();
    this.spaces();
    const value = this.value();
    this.spaces();
    if (this.at < this.text.length) this.fail('expected the end of the condition');
    return { attribute, operator, value };
  }

  private attribute(): WhereCondition['attribute'] {
    if (this.text[this.at] === '$') {
      const start = this.at;
      this.at += 1;
      const name = `$${this.segment()}`;
      const special = SPECIAL_ATTRIBUTES[name];
      if (special === undefined) this.fail(`unknown attribute ${name} (known: $id, $label, $connectionStatus)`, start);
      return special;
    }
    const path = [this.segment()];
    while (this.text[this.at] === '.') {
      this.at += 1;
      path.push(this.segment());
    }
    return { kind: 'data', path };
  }

  private segment(): string {
    const start = this.at;
    while (this.at < this.text.length && !KEY_STOPS.has(this.text[this.at]!)) this.at += 1;
    if (this.at === start) this.fail('expected an attribute name');
    return this.text.slice(start, this.at);
  }

  private operator(): WhereOperator {
    const first = this.text[this.at];
    const second = this.text[this.at + 1];
    if (first === '=') {
      this.at += 1;
      return '=';
    }
    if (first === '!' && second === '=') {
      this.at += 2;
      return '!=';
    }
    if (first === '<' || first === '>') {
      if (second === '=') {
        this.at += 2;
        return first === '<' ? '<=' : '>=';
      }
      this.at += 1;
      return first;
    }
    return this.fail('expected an operator (= != < > <= >=)');
  }

  private value(): WhereValue {
    const char = this.text[this.at];
    if (char === '"') return this.string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail('expected a value: a "quoted string", a number, true, false or null');
  }

  private string(): string {
    const start = this.at;
    this.at += 1;
    let value = '';
    let chunk = this.at;
    while (this.at < this.text.length) {
      const char = this.text[this.at];
      if (char === '"') {
        value += this.text.slice(chunk, this.at);
        this.at += 1;
        return value;
      }
      if (char === '\\') {
        const escaped = this.text[this.at + 1];
        if (escaped !== '"' && escaped !== '\\') this.fail('only \\" and \\\\ may be escaped in a string');
        value += this.text.slice(chunk, this.at) + escaped;
        this.at += 2;
        chunk = this.at;
        continue;
      }
      this.at += 1;
    }
    return this.fail('unterminated string', start);
  }

  /** A JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. */
  private number(): number {
    const start = this.at;
    if (this.text[this.at] === '-') this.at += 1;
    if (this.text[this.at] === '0') this.at += 1;
    else this.digits();
    if (this.text[this.at] === '.') {
      this.at += 1;
      this.digits();
    }
    if (this.text[this.at] === 'e' || this.text[this.at] === 'E') {
      this.at += 1;
      if (this.text[this.at] === '+' || this.text[this.at] === '-') this.at += 1;
      this.digits();
    }
    const value = Number(this.text.slice(start, this.at));
    if (!Number.isFinite(value)) this.fail('number out of range', start);
    return value;
  }

  private digits(): void {
    const start = this.at;
    while (this.at < this.text.length && this.text[this.at]! >= '0' && this.text[this.at]! <= '9') this.at += 1;
    if (this.at === start) this.fail('expected a digit');
  }

  private spaces(): void {
    while (this.text[this.at] === ' ' || this.text[this.at] === '\t') this.at += 1;
  }

  private fail(problem: string, at = this.at): never {
    throw new InvalidArgumentError(`where[${this.index}] (${JSON.stringify(this.text)}): ${problem} at position ${at + 1}`, {
      details: { condition: this.index, position: at + 1 },
    });
  }
}
