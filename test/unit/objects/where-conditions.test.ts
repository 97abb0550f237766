import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../shared/index.js';
import type { MatchableObject } from '../../../server/objects/matching/matchable-object.js';
import { compileWhere, parseWhereCondition } from '../../../server/objects/matching/where-conditions.js';

const scooter: MatchableObject = {
  id: 'scooter/1',
  label: 'Red scooter',
  connectionStatus: 'connected',
  location: null,
  data: { type: 'scooter', charge: 0.5, code: '1', one: 1, flag: true, none: null, battery: { level: 2, cells: [1, 2] }, name: 'b' },
};

function matches(...where: string[]): boolean {
  return compileWhere(where)(scooter);
}

function parseError(text: string): InvalidArgumentError {
  try {
    parseWhereCondition(text, 3);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error(`${text} parsed`);
}

describe('parseWhereCondition', () => {
  it('reads every operator', () => {
    for (const operator of ['=', '!=', '<', '>', '<=', '>='] as const) {
      expect(parseWhereCondition(`charge${operator}0.3`)).toEqual({ attribute: { kind: 'data', path: ['charge'] }, operator, value: 0.3 });
    }
  });

  it('reads strings with \\" and \\\\ escapes, numbers, booleans and null', () => {
    expect(parseWhereCondition('type="scooter"').value).toBe('scooter');
    expect(parseWhereCondition('name="say \\"hi\\""').value).toBe('say "hi"');
    expect(parseWhereCondition('path="a\\\\b"').value).toBe('a\\b');
    expect(parseWhereCondition('name="a=b<c"').value).toBe('a=b<c');
    expect(parseWhereCondition('name=""').value).toBe('');
    expect(parseWhereCondition('n=-12.5e3').value).toBe(-12500);
    expect(parseWhereCondition('n=0').value).toBe(0);
    expect(parseWhereCondition('f=true').value).toBe(true);
    expect(parseWhereCondition('f=false').value).toBe(false);
    expect(parseWhereCondition('f=null').value).toBeNull();
  });

  it('reads special attributes and dotted data paths, with spaces around the parts', () => {
    expect(parseWhereCondition('$id!="x"')).toEqual({ attribute: { kind: 'id' }, operator: '!=', value: 'x' });
    expect(parseWhereCondition('$label="a"').attribute).toEqual({ kind: 'label' });
    expect(parseWhereCondition('$connectionStatus="connected"').attribute).toEqual({ kind: 'connectionStatus' });
    expect(parseWhereCondition('  battery.level <= 2 ')).toEqual({ attribute: { kind: 'data', path: ['battery', 'level'] }, operator: '<=', value: 2 });
  });

  it('names the condition and the position of what is wrong', () => {
    const cases: Array<[string, string, number]> = [
      ['charge>', 'expected a value', 8],
      ['charge', 'expected an operator', 7],
      ['=3', 'expected an attribute name', 1],
      ['a..b=1', 'expected an attribute name', 3],
      ['a.=1', 'expected an attribute name', 3],
      ['$nope="x"', 'unknown attribute $nope', 1],
      ['type="scooter', 'unterminated string', 6],
      ['type=scooter', 'expected a value', 6],
      ['type="a\\nb"', 'only \\" and \\\\ may be escaped', 8],
      ['n=01', 'expected the end of the condition', 4],
      ['n=1.', 'expected a digit', 5],
      ['n=.5', 'expected a value', 3],
      ['n=-', 'expected a digit', 4],
      ['n=1e999', 'number out of range', 3],
      ['n==1', 'expected a value', 3],
      ['type="a" x', 'expected the end of the condition', 10],
      ['f=trueish', 'expected the end of the condition', 7],
      ['', 'expected an attribute name', 1],
    ];
    for (const [text, problem, position] of cases) {
      const err = parseError(text);
      expect(err.message, text).toContain(`where[3] (${JSON.stringify(text)}): ${problem}`);
      expect(err.message, text).toContain(`at position ${position}`);
      expect(err.details).toEqual({ condition: 3, position });
    }
  });

  it('answers pathological 256-character inputs with the right error (one pass, no backtracking)', () => {
    const unterminated = `a="${'\\"'.repeat(126)}`;
    expect(unterminated).toHaveLength(255);
    expect(parseError(unterminated).details).toEqual({ condition: 3, position: 3 });
    const longKey = 'a'.repeat(256);
    expect(parseError(longKey).details).toEqual({ condition: 3, position: 257 });
    const dots = `${'a.'.repeat(127)}a=`;
    expect(parseError(dots).details).toEqual({ condition: 3, position: 257 });
    const digits = `n=${'1'.repeat(253)}x`;
    expect(digits).toHaveLength(256);
    expect(parseError(digits).details).toEqual({ condition: 3, position: 256 });
    const spaces = `a${' '.repeat(254)}=`;
    expect(parseError(spaces).details).toEqual({ condition: 3, position: 257 });
    const escapes = `a="${'\\\\'.repeat(126)}"`;
    expect(parseWhereCondition(escapes).value).toBe('\\'.repeat(126));
  });
});

describe('compileWhere', () => {
  it('matches = and != by JSON equality', () => {
    expect(matches('type="scooter"')).toBe(true);
    expect(matches('type="bike"')).toBe(false);
    expect(matches('type!="bike"')).toBe(true);
    expect(matches('code="1"')).toBe(true);
    expect(matches('code=1')).toBe(false);
    expect(matches('one=1')).toBe(true);
    expect(matches('one="1"')).toBe(false);
    expect(matches('flag=true')).toBe(true);
    expect(matches('none=null')).toBe(true);
    expect(matches('battery.level=2')).toBe(true);
    expect(matches('battery=2')).toBe(false);
    expect(matches('battery!=2')).toBe(true);
  });

  it('compares two numbers or two strings, and nothing else', () => {
    expect(matches('charge>0.3')).toBe(true);
    expect(matches('charge<0.3')).toBe(false);
    expect(matches('charge>=0.5', 'charge<=0.5')).toBe(true);
    expect(matches('name<"c"', 'name>"a"')).toBe(true);
    expect(matches('name>="b"', 'name<="b"')).toBe(true);
    expect(matches('code>0')).toBe(false);
    expect(matches('code<"2"')).toBe(true);
    expect(matches('one<"2"')).toBe(false);
    expect(matches('flag>false')).toBe(false);
    expect(matches('none<1')).toBe(false);
    expect(matches('battery>1')).toBe(false);
  });

  it('reads $id, $label and $connectionStatus', () => {
    expect(matches('$id="scooter/1"')).toBe(true);
    expect(matches('$id!="scooter/1"')).toBe(false);
    expect(matches('$label="Red scooter"')).toBe(true);
    expect(matches('$connectionStatus="disconnected"')).toBe(false);
  });

  it('lets a missing attribute match only !=', () => {
    expect(matches('missing="x"')).toBe(false);
    expect(matches('missing=null')).toBe(false);
    expect(matches('missing<1')).toBe(false);
    expect(matches('missing>=""')).toBe(false);
    expect(matches('missing!="x"')).toBe(true);
    expect(matches('missing!=null')).toBe(true);
    expect(matches('battery.cells.length=2')).toBe(false);
    expect(matches('type.inner!=1')).toBe(true);
  });

  it('reads own keys only', () => {
    expect(matches('constructor!=1', 'toString!="x"')).toBe(true);
    expect(matches('constructor=null')).toBe(false);
  });

  it('ANDs all conditions, and an empty list matches everything', () => {
    expect(matches('type="scooter"', 'charge>0.3')).toBe(true);
    expect(matches('type="scooter"', 'charge>0.6')).toBe(false);
    expect(matches()).toBe(true);
  });

  it('names the failing condition by its index', () => {
    expect(() => compileWhere(['type="scooter"', 'charge>'])).toThrow(/^where\[1\]/);
  });
});
