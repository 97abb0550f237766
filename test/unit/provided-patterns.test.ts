import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../server/auth/principal-from-claims.js';
import { providedPatterns } from '../../server/presence/data-provider-presence.js';
import type { RealtimeClaims } from '../../shared/index.js';

function provided(claims: Partial<RealtimeClaims>): Record<string, string[]> {
  return Object.fromEntries(providedPatterns(principalFromClaims({ sub: 'device', exp: 1_900_000_000, ...claims })));
}

describe('providedPatterns: dpv applies in the realms a token may use, and grants none', () => {
  it('adds the `*` entry to every realm the token grants by name', () => {
    expect(provided({ realm: 'london', dpv: { '*': ['riders/*'] } })).toEqual({ london: ['riders/*'] });
    expect(provided({ realm: 'london', per: { paris: { 'doc/x': 'R' } }, dpv: { '*': ['riders/*'], paris: ['cars/1'] } })).toEqual({
      london: ['riders/*'],
      paris: ['cars/1', 'riders/*'],
    });
  });

  it('ignores an entry for a realm the token does not grant', () => {
    expect(provided({ realm: 'london', dpv: { paris: ['bikes/*'], london: ['bikes/1'] } })).toEqual({ london: ['bikes/1'] });
  });

  it('provides in "default" for a token naming no realm', () => {
    expect(provided({ dpv: { '*': ['riders/*'], london: ['x'] } })).toEqual({ default: ['riders/*'] });
  });

  it('provides in the realms an all-realms token names, never under `*` itself', () => {
    expect(provided({ realms: ['*'], dpv: { '*': ['riders/*'] } })).toEqual({});
    expect(provided({ realms: ['*'], dpv: { '*': ['riders/*'], rome: ['vans/1'] } })).toEqual({ rome: ['vans/1', 'riders/*'] });
    expect(provided({ realms: ['*', 'oslo'], dpv: { '*': ['riders/*'] } })).toEqual({ oslo: ['riders/*'] });
  });

  it('reads a realm named __proto__ as an ordinary realm', () => {
    const proto = JSON.parse('{"__proto__": ["x/*"]}') as Record<string, string[]>;
    expect(providedPatterns(principalFromClaims({ sub: 'd', exp: 1, realm: '__proto__', dpv: proto }))).toEqual(new Map([['__proto__', ['x/*']]]));
    expect(provided({ realms: ['a', '__proto__'], dpv: { a: ['y'] } })).toEqual({ a: ['y'] });
    expect(providedPatterns(principalFromClaims({ sub: 'd', exp: 1, realm: '__proto__', dpv: { '*': ['z'] } }))).toEqual(new Map([['__proto__', ['z']]]));
  });
});
