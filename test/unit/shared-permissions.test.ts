import { describe, expect, it } from 'vitest';
import { SharedPermissions } from '../../server/auth/shared-permissions.js';
import { principalFromClaims } from '../../server/auth/principal-from-claims.js';

const exp = 1_900_000_000;

describe('SharedPermissions', () => {
  it('gives principals with equal permissions one frozen copy, and keeps each its own user and expiry', () => {
    const shared = new SharedPermissions();
    const claims = { realm: 'demo', permissions: ['subscribe', 'publish'], per: { demo: { 'doc-*': 'R' } }, dpv: { demo: ['car-*'] } };
    const alice = shared.share(principalFromClaims({ sub: 'alice', exp, ...claims }));
    const bob = shared.share(principalFromClaims({ sub: 'bob', exp: exp + 1, ...claims }));
    expect(bob).toEqual({ ...principalFromClaims({ sub: 'bob', exp: exp + 1, ...claims }) });
    expect(alice.userId).toBe('alice');
    expect(bob.expiresAt).toBe((exp + 1) * 1000);
    expect(bob.defaultRealm).toBe('demo');
    expect(bob.capabilities).toBe(alice.capabilities);
    expect(bob.grants).toBe(alice.grants);
    expect(bob.dataProviders).toBe(alice.dataProviders);
    expect(() => (alice.capabilities as string[]).push('admin')).toThrow(TypeError);
    expect(() => {
      (alice.grants[0] as { letters: string }).letters = 'CRUDP';
    }).toThrow(TypeError);
    expect(() => (alice.dataProviders.demo as string[]).push('*')).toThrow(TypeError);
  });

  it('does not share between different permissions', () => {
    const shared = new SharedPermissions();
    const reader = shared.share(principalFromClaims({ sub: 'a', exp, realm: 'demo', permissions: ['subscribe'] }));
    const writer = shared.share(principalFromClaims({ sub: 'b', exp, realm: 'demo', permissions: ['publish'] }));
    expect(reader.capabilities).toEqual(['subscribe']);
    expect(writer.capabilities).toEqual(['publish']);
  });

  it('keeps a realm named __proto__ an ordinary data-provider key', () => {
    const shared = new SharedPermissions();
    const claims = JSON.parse('{"sub":"a","exp":1900000000,"realms":["__proto__"],"dpv":{"__proto__":["x"]}}') as Parameters<typeof principalFromClaims>[0];
    const principal = shared.share(principalFromClaims(claims));
    expect(Object.hasOwn(principal.dataProviders, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(principal.dataProviders)).toBe(Object.prototype);
  });

  it('holds at most maxEntries permission sets, dropping the least recently used', () => {
    const shared = new SharedPermissions(2);
    const principal = (capability: string, sub = 'u'): ReturnType<SharedPermissions['share']> =>
      shared.share(principalFromClaims({ sub, exp, realm: 'demo', permissions: [capability] }));
    const first = principal('one');
    principal('two');
    expect(principal('one', 'v').capabilities).toBe(first.capabilities);
    principal('three'); // drops 'two', the least recently used
    expect(principal('one', 'w').capabilities).toBe(first.capabilities);
    const twoAgain = principal('two');
    expect(principal('two', 'x').capabilities).toBe(twoAgain.capabilities);
  });
});
