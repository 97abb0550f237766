import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../server/auth/principal-from-claims.js';
import { AuthError, ErrorCode, type RealtimeClaims } from '../../shared/index.js';

const EXP = 1_900_000_000;

function claims(extra: Record<string, unknown> = {}): RealtimeClaims {
  return { sub: 'alice', exp: EXP, ...extra };
}

function rejection(input: unknown): AuthError {
  try {
    principalFromClaims(input as RealtimeClaims);
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected principalFromClaims to throw');
}

describe('principalFromClaims: the principal it builds', () => {
  it('builds a client in realm "default" from a token with only sub and exp', () => {
    expect(principalFromClaims(claims())).toEqual({
      userId: 'alice',
      realms: ['default'],
      roleRealms: ['default'],
      defaultRealm: 'default',
      roles: ['client'],
      capabilities: [],
      grants: [],
      dataProviders: {},
      expiresAt: EXP * 1000,
    });
  });

  it('converts exp seconds to expiresAt milliseconds, keeping fractions', () => {
    expect(principalFromClaims(claims({ exp: 1.5 })).expiresAt).toBe(1500);
  });

  it("accepts an exp in the past (expiry is the verifier's job)", () => {
    expect(principalFromClaims(claims({ exp: 1 })).expiresAt).toBe(1000);
  });

  it('accepts a sub with U+FFFD or a surrogate pair (well-formed Unicode)', () => {
    expect(principalFromClaims(claims({ sub: 'a\uFFFD' })).userId).toBe('a\uFFFD');
    expect(principalFromClaims(claims({ sub: 'a\uD83D\uDE00' })).userId).toBe('a\uD83D\uDE00');
  });

  it('accepts a sub of exactly 256 characters', () => {
    const sub = 'u'.repeat(256);
    expect(principalFromClaims(claims({ sub })).userId).toBe(sub);
  });

  describe('realms', () => {
    it('grants the single `realm` and defaults to it', () => {
      const principal = principalFromClaims(claims({ realm: 'demo' }));
      expect(principal.realms).toEqual(['demo']);
      expect(principal.defaultRealm).toBe('demo');
    });

    it('grants every entry of `realms` and has no default realm when there are several', () => {
      const principal = principalFromClaims(claims({ realms: ['a', 'b'] }));
      expect(principal.realms).toEqual(['a', 'b']);
      expect(principal).not.toHaveProperty('defaultRealm');
    });

    it('defaults to the only entry of a one-element `realms`', () => {
      expect(principalFromClaims(claims({ realms: ['solo'] })).defaultRealm).toBe('solo');
    });

    it('keeps `*` in `realms` and has no default realm', () => {
      const principal = principalFromClaims(claims({ realms: ['*'] }));
      expect(principal.realms).toEqual(['*']);
      expect(principal).not.toHaveProperty('defaultRealm');
    });

    it('accepts `realm: "*"`', () => {
      expect(principalFromClaims(claims({ realm: '*' })).realms).toEqual(['*']);
    });

    it('adds the realm keys of `per` (not of `dpv`) to the granted realms, without duplicates', () => {
      const principal = principalFromClaims(claims({ realm: 'a', per: { a: 'R', b: { 'doc/*': 'R' } }, dpv: { c: ['object/x'] } }));
      expect([...principal.realms].sort()).toEqual(['a', 'b']);
      expect(principal.roleRealms).toEqual(['a']);
      // `realm` is the home realm; the per realm b is used by naming it.
      expect(principal.defaultRealm).toBe('a');
    });

    it('has no default realm when `per` names several realms and realm claims none', () => {
      const principal = principalFromClaims(claims({ per: { a: 'R', b: 'R' } }));
      expect([...principal.realms].sort()).toEqual(['a', 'b']);
      expect(principal.roleRealms).toEqual([]);
      expect(principal).not.toHaveProperty('defaultRealm');
    });

    it('grants no realm through `dpv`: a dpv-only token is in realm "default"', () => {
      const principal = principalFromClaims(claims({ dpv: { london: ['object/x'], '*': ['object/y'] } }));
      expect(principal.realms).toEqual(['default']);
      expect(principal.roleRealms).toEqual(['default']);
      expect(principal.defaultRealm).toBe('default');
    });

    it('uses a `per` key as the default realm when it is the only realm named (roles apply nowhere)', () => {
      const principal = principalFromClaims(claims({ per: { london: { 'object/*': 'R' } } }));
      expect(principal.realms).toEqual(['london']);
      expect(principal.roleRealms).toEqual([]);
      expect(principal.defaultRealm).toBe('london');
    });

    it('does not treat a `*` key of `per` or `dpv` as granting every realm', () => {
      const principal = principalFromClaims(claims({ realm: 'a', per: { '*': 'R' }, dpv: { '*': ['object/*'] } }));
      expect(principal.realms).toEqual(['a']);
      expect(principal.roleRealms).toEqual(['a']);
      expect(principal.defaultRealm).toBe('a');
      expect(principalFromClaims(claims({ per: { '*': 'R' } })).realms).toEqual(['default']);
    });

    it('keeps `*` in the role realms of an all-realms token', () => {
      const principal = principalFromClaims(claims({ realms: ['*'], per: { paris: 'R' } }));
      expect(principal.realms).toEqual(['*', 'paris']);
      expect(principal.roleRealms).toEqual(['*']);
      expect(principal).not.toHaveProperty('defaultRealm');
    });

    it('accepts realm ids of 64 characters and with _ and -', () => {
      const long = 'r'.repeat(64);
      expect(principalFromClaims(claims({ realms: [long, 'a_b-C9'] })).realms).toEqual([long, 'a_b-C9']);
    });
  });

  describe('roles and capabilities', () => {
    it('splits `permissions` into roles and capability strings, dropping duplicates', () => {
      const principal = principalFromClaims(claims({ permissions: ['service', 'subscribe', 'admin', 'publish', 'service', 'subscribe'] }));
      expect(principal.roles).toEqual(['service', 'admin']);
      expect(principal.capabilities).toEqual(['subscribe', 'publish']);
    });

    it('keeps unknown capability strings as capabilities', () => {
      expect(principalFromClaims(claims({ permissions: ['fly'] })).capabilities).toEqual(['fly']);
    });

    it('gives no role when `permissions` names only capabilities', () => {
      expect(principalFromClaims(claims({ permissions: ['subscribe'] })).roles).toEqual([]);
    });

    it('gives no role for an explicit empty `permissions`', () => {
      expect(principalFromClaims(claims({ permissions: [] })).roles).toEqual([]);
    });

    it('gives no role to a token with `per` but no `permissions`', () => {
      expect(principalFromClaims(claims({ per: { demo: 'R' } })).roles).toEqual([]);
    });

    it('still makes a `dpv`-only token a client (dpv is not a permission claim)', () => {
      expect(principalFromClaims(claims({ dpv: { demo: ['object/*'] } })).roles).toEqual(['client']);
    });
  });

  describe('grants from `per`', () => {
    it('flattens realm → pattern → letters into grants', () => {
      const principal = principalFromClaims(claims({ per: { london: { 'object/riders/*': 'R', 'object/rides/johndoe-123': 'CU' }, paris: { '*': 'CRUDP' } } }));
      expect(principal.grants).toEqual([
        { realm: 'london', pattern: 'object/riders/*', letters: 'R' },
        { realm: 'london', pattern: 'object/rides/johndoe-123', letters: 'CU' },
        { realm: 'paris', pattern: '*', letters: 'CRUDP' },
      ]);
    });

    it('reads a plain letters string as shorthand for pattern `*`', () => {
      expect(principalFromClaims(claims({ per: { '*': 'CRUDP', demo: 'R' } })).grants).toEqual([
        { realm: '*', pattern: '*', letters: 'CRUDP' },
        { realm: 'demo', pattern: '*', letters: 'R' },
      ]);
    });

    it('accepts an empty letters string (it grants nothing)', () => {
      expect(principalFromClaims(claims({ per: { demo: { 'doc/*': '' } } })).grants).toEqual([{ realm: 'demo', pattern: 'doc/*', letters: '' }]);
    });
  });

  describe('data providers from `dpv`', () => {
    it('copies realm → patterns', () => {
      const dpv = { demo: ['object/riders/*'], '*': ['object/x'] };
      const principal = principalFromClaims(claims({ dpv }));
      expect(principal.dataProviders).toEqual(dpv);
      expect(principal.dataProviders.demo).not.toBe(dpv.demo);
    });

    it('keeps a realm named `__proto__` as an ordinary key', () => {
      const parsed = JSON.parse('{"sub":"a","exp":1,"dpv":{"__proto__":["object/x"]}}') as RealtimeClaims;
      const { dataProviders } = principalFromClaims(parsed);
      expect(Object.getPrototypeOf(dataProviders)).toBe(Object.prototype);
      expect(Object.keys(dataProviders)).toEqual(['__proto__']);
      expect(Object.getOwnPropertyDescriptor(dataProviders, '__proto__')?.value).toEqual(['object/x']);
    });
  });
});

describe('principalFromClaims: invalid claims are AUTH_FAILED', () => {
  const cases: Array<[string, unknown, string]> = [
    ['claims are not an object', null, 'claims'],
    ['claims are an array', [], 'claims'],
    ['sub is missing', { exp: EXP }, '"sub"'],
    ['sub is empty', claims({ sub: '' }), '"sub"'],
    ['sub is a number', claims({ sub: 42 }), '"sub"'],
    ['sub is longer than 256 characters', claims({ sub: 'u'.repeat(257) }), '"sub"'],
    ['sub holds a lone high surrogate', claims({ sub: 'a\uD800' }), '"sub"'],
    ['sub holds a lone low surrogate', claims({ sub: '\uDC00b' }), '"sub"'],
    ['a per pattern holds a lone surrogate', claims({ per: { demo: { 'doc/\uD800': 'R' } } }), '"per.demo"'],
    ['a dpv pattern holds a lone surrogate', claims({ dpv: { demo: ['x/\uDFFF'] } }), '"dpv.demo[0]"'],
    ['exp is missing', { sub: 'alice' }, '"exp"'],
    ['exp is a string', claims({ exp: String(EXP) }), '"exp"'],
    ['exp is NaN', claims({ exp: Number.NaN }), '"exp"'],
    ['exp is Infinity', claims({ exp: Number.POSITIVE_INFINITY }), '"exp"'],
    ['realm has a space', claims({ realm: 'bad realm' }), '"realm"'],
    ['realm is empty', claims({ realm: '' }), '"realm"'],
    ['realm is a number', claims({ realm: 5 }), '"realm"'],
    ['realm is 65 characters', claims({ realm: 'r'.repeat(65) }), '"realm"'],
    ['realm has a slash', claims({ realm: 'a/b' }), '"realm"'],
    ['realms is a string', claims({ realms: 'demo' }), '"realms"'],
    ['realms holds a number', claims({ realms: [1] }), '"realms[0]"'],
    ['realms holds an invalid id', claims({ realms: ['ok', 'no/slash'] }), '"realms[1]"'],
    ['realms holds a partial wildcard', claims({ realms: ['de*'] }), '"realms[0]"'],
    ['permissions is a string', claims({ permissions: 'admin' }), '"permissions"'],
    ['permissions holds a number', claims({ permissions: ['client', 1] }), '"permissions[1]"'],
    ['permissions holds an empty string', claims({ permissions: [''] }), '"permissions[0]"'],
    ['per is an array', claims({ per: [] }), '"per"'],
    ['per is a string', claims({ per: 'CRUDP' }), '"per"'],
    ['per is null', claims({ per: null }), '"per"'],
    ['per has an invalid realm key', claims({ per: { 'bad realm': 'R' } }), 'bad realm'],
    ['per realm value is a number', claims({ per: { demo: 5 } }), '"per.demo"'],
    ['per realm value is an array', claims({ per: { demo: ['R'] } }), '"per.demo"'],
    ['per realm value is null', claims({ per: { demo: null } }), '"per.demo"'],
    ['per shorthand has a lowercase letter', claims({ per: { demo: 'r' } }), '"per.demo"'],
    ['per letters is a number', claims({ per: { demo: { 'doc/*': 5 } } }), '"per.demo.doc/*"'],
    ['per letters has an unknown letter', claims({ per: { demo: { 'topic/*': 'RX' } } }), '"per.demo.topic/*"'],
    ['per pattern is empty', claims({ per: { demo: { '': 'R' } } }), '"per.demo"'],
    ['per pattern is too long', claims({ per: { demo: { ['x'.repeat(513)]: 'R' } } }), '"per.demo"'],
    ['dpv is an array', claims({ dpv: [] }), '"dpv"'],
    ['dpv has an invalid realm key', claims({ dpv: { 'bad!': [] } }), 'bad!'],
    ['dpv realm value is a string', claims({ dpv: { demo: 'object/*' } }), '"dpv.demo"'],
    ['dpv holds a number', claims({ dpv: { demo: [1] } }), '"dpv.demo[0]"'],
    ['dpv holds an empty pattern', claims({ dpv: { demo: ['object/a', ''] } }), '"dpv.demo[1]"'],
  ];

  it.each(cases)('rejects a token whose %s', (_label, input, named) => {
    const err = rejection(input);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.name).toBe('AuthError');
    expect(err.code).toBe(ErrorCode.AUTH_FAILED);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^Invalid token: /);
    expect(err.message).toContain(named);
  });
});
