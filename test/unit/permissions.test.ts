import { describe, expect, it } from 'vitest';
import {
  PATTERN_CACHE_LIMIT,
  RESOURCE_KINDS,
  assertCan,
  can,
  channelResource,
  compilePattern,
  docResource,
  hasRealm,
  isAdmin,
  matchesPattern,
  objectResource,
  areaResource,
  rpcResource,
  recordResource,
  resolveRealm,
  topicResource,
  userResource,
  type ResourceKind,
} from '../../server/auth/permissions.js';
import { principalFromClaims } from '../../server/auth/principal-from-claims.js';
import { rightsIn } from '../../server/auth/rights-in.js';
import { ErrorCode, ForbiddenError, InvalidArgumentError, type PermissionLetter, type Principal, type RealtimeClaims, type Role } from '../../shared/index.js';

const LETTERS: readonly PermissionLetter[] = ['C', 'R', 'U', 'D', 'P'];

/** One sample resource id per kind. */
const SAMPLE: Readonly<Record<ResourceKind, string>> = {
  topic: topicResource('order.updated'),
  doc: docResource('notes', 'a1'),
  channel: channelResource('lobby'),
  user: userResource('bob'),
  object: objectResource('rider-7'),
  area: areaResource('zone-1'),
  rpc: rpcResource('math/multiply'),
  record: recordResource('user/lisa'),
};

function principal(extra: Partial<RealtimeClaims> = {}): Principal {
  return principalFromClaims({ sub: 'alice', exp: 1_900_000_000, ...extra });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('resource ids', () => {
  it('builds one id shape per resource kind', () => {
    expect(topicResource('order.updated')).toBe('topic/order.updated');
    expect(docResource('notes', 'a1')).toBe('doc/notes/a1');
    expect(channelResource('lobby')).toBe('channel/lobby');
    expect(userResource('bob')).toBe('user/bob');
    expect(objectResource('rider-7')).toBe('object/rider-7');
    expect(areaResource('zone-1')).toBe('area/zone-1');
    expect(rpcResource('math/multiply')).toBe('rpc/math/multiply');
    expect(recordResource('user/lisa')).toBe('record/user/lisa');
  });

  it('names every kind the helpers build', () => {
    expect([...RESOURCE_KINDS].sort()).toEqual(Object.keys(SAMPLE).sort());
  });
});

describe('matchesPattern', () => {
  const cases: Array<[string, string, boolean]> = [
    // exact ids
    ['topic/order.updated', 'topic/order.updated', true],
    ['topic/order.updated', 'topic/order.updatedx', false],
    ['topic/order.updated', 'topic/order', false],
    ['topic/a.b', 'topic/axb', false],
    ['doc/notes/a', 'doc/notes/a/b', false],
    // `*` alone
    ['*', 'topic/x', true],
    ['*', 'doc/a/b/c', true],
    // a whole inner segment `*` matches exactly one segment
    ['doc/*/draft', 'doc/notes/draft', true],
    ['doc/*/draft', 'doc/a/b/draft', false],
    ['doc/*/draft', 'doc//draft', false],
    ['doc/*/draft', 'doc/notes/draft2', false],
    ['doc/*/draft', 'doc/notes/draft/x', false],
    ['*/sensors', 'object/sensors', true],
    ['*/sensors', 'object/a/sensors', false],
    // a trailing `*` matches the rest, across segments
    ['doc/notes/*', 'doc/notes/a', true],
    ['doc/notes/*', 'doc/notes/a/b/c', true],
    ['doc/notes/*', 'doc/notesx/a', false],
    ['doc/notes/*', 'doc/notes', false],
    ['doc/notes/*', 'doc/other/a', false],
    ['topic/*', 'topic/a.b.c', true],
    ['topic/*', 'doc/a', false],
    ['topic/session.*', 'topic/session.status', true],
    ['topic/session.*', 'topic/session.a.b', true],
    ['topic/session.*', 'topic/sessions', false],
    ['topic/session.*', 'topic/session', false],
    ['topic/session.*', 'topic/sessionXstatus', false],
    // a `*` inside a segment that is not trailing stays within that segment
    ['doc/no*s/x', 'doc/notes/x', true],
    ['doc/no*s/x', 'doc/nos/x', true],
    ['doc/no*s/x', 'doc/no/s/x', false],
    ['doc/no*s/x', 'doc/notes/y', false],
    ['doc/no*s/x', 'doc/notex/x', false],
    ['doc/*s', 'doc/notes', true],
    ['doc/*s', 'doc/a/notes', false],
    // combinations
    ['doc/*/drafts/*', 'doc/a/drafts/b/c', true],
    ['doc/*/drafts/*', 'doc/a/b/drafts/c', false],
    ['doc/*/pre*', 'doc/a/prefix/more', true],
    ['doc/*/pre*', 'doc/a/b/prefix', false],
    // regex metacharacters are literal
    ['doc/*/a+b', 'doc/x/a+b', true],
    ['doc/*/a+b', 'doc/x/aab', false],
    ['doc/*/a.b', 'doc/x/aXb', false],
    ['doc/(x)/*', 'doc/(x)/y', true],
    ['doc/(x)/*', 'doc/x/y', false],
    ['doc/*/[ab]', 'doc/x/a', false],
    ['doc/*/[ab]', 'doc/x/[ab]', true],
    // a trailing `*` spans any characters, newlines included
    ['doc/*/x*', 'doc/a/x\ny', true],
    ['doc/x*', 'doc/x\ny', true],
  ];

  it.each(cases)('%s against %j → %s', (pattern, resourceId, expected) => {
    expect(matchesPattern(pattern, resourceId)).toBe(expected);
  });

  it('compiles a pattern once and reuses the compiled matcher', () => {
    const first = compilePattern('doc/*/cached-test');
    expect(compilePattern('doc/*/cached-test')).toBe(first);
    expect(first('doc/a/cached-test')).toBe(true);
  });

  it('bounds the cache, dropping the oldest pattern first', () => {
    const oldest = compilePattern('doc/*/evict-0');
    for (let i = 1; i <= PATTERN_CACHE_LIMIT; i += 1) compilePattern(`doc/*/evict-${i}`);
    const newest = compilePattern(`doc/*/evict-${PATTERN_CACHE_LIMIT}`);
    expect(compilePattern(`doc/*/evict-${PATTERN_CACHE_LIMIT}`)).toBe(newest);
    const recompiled = compilePattern('doc/*/evict-0');
    expect(recompiled).not.toBe(oldest);
    expect(recompiled('doc/a/evict-0')).toBe(true);
  });
});

describe('can: roles', () => {
  const expected: Readonly<Record<Role, Readonly<Record<ResourceKind, string>>>> = {
    admin: { topic: 'CRUDP', doc: 'CRUDP', channel: 'CRUDP', user: 'CRUDP', object: 'CRUDP', area: 'CRUDP', rpc: 'CRUDP', record: 'CRUDP' },
    service: { topic: 'CRUDP', doc: 'CRUDP', channel: 'CRUDP', user: 'CRUDP', object: 'CRUDP', area: 'CRUDP', rpc: 'CRUDP', record: 'CRUDP' },
    client: { topic: 'R', doc: 'R', channel: 'RCP', user: 'CR', object: 'R', area: 'R', rpc: 'C', record: '' },
  };
  const matrix = (['admin', 'service', 'client'] as const).flatMap((role) =>
    RESOURCE_KINDS.flatMap((kind) => LETTERS.map((letter) => [role, kind, letter, expected[role][kind].includes(letter)] as const)),
  );

  it.each(matrix)('%s on %s: %s → %s', (role, kind, letter, allowed) => {
    expect(can(principal({ realm: 'demo', permissions: [role] }), 'demo', SAMPLE[kind], letter)).toBe(allowed);
  });

  it.each(RESOURCE_KINDS.flatMap((kind) => LETTERS.map((letter) => [kind, letter, expected.client[kind].includes(letter)] as const)))(
    'a token with neither permissions nor per is a client: %s %s → %s',
    (kind, letter, allowed) => {
      expect(can(principal({ realm: 'demo' }), 'demo', SAMPLE[kind], letter)).toBe(allowed);
    },
  );

  it('client rights hold on every id of a kind, including nested document ids', () => {
    const client = principal({ realm: 'demo', permissions: ['client'] });
    expect(can(client, 'demo', docResource('notes', 'deep/er'), 'R')).toBe(true);
    expect(can(client, 'demo', docResource('notes', 'deep/er'), 'U')).toBe(false);
    expect(can(client, 'demo', topicResource('sync.notes.updated'), 'R')).toBe(true);
  });

  it('admin covers resource kinds beyond the five; service covers only the five', () => {
    expect(can(principal({ realm: 'demo', permissions: ['admin'] }), 'demo', 'webhook/w1', 'D')).toBe(true);
    expect(can(principal({ realm: 'demo', permissions: ['service'] }), 'demo', 'webhook/w1', 'D')).toBe(false);
  });

  it('roles add up: client plus subscribe capability still cannot publish', () => {
    const p = principal({ realm: 'demo', permissions: ['client', 'subscribe'] });
    expect(can(p, 'demo', SAMPLE.topic, 'C')).toBe(false);
    expect(can(p, 'demo', SAMPLE.channel, 'C')).toBe(true);
  });
});

describe('can: capability strings', () => {
  it('subscribe grants R on topics and nothing else', () => {
    const p = principal({ realm: 'demo', permissions: ['subscribe'] });
    expect(can(p, 'demo', SAMPLE.topic, 'R')).toBe(true);
    for (const letter of ['C', 'U', 'D', 'P'] as const) expect(can(p, 'demo', SAMPLE.topic, letter)).toBe(false);
    for (const kind of ['doc', 'channel', 'user', 'object'] as const) {
      for (const letter of LETTERS) expect(can(p, 'demo', SAMPLE[kind], letter)).toBe(false);
    }
  });

  it('publish grants C on topics and nothing else', () => {
    const p = principal({ realm: 'demo', permissions: ['publish'] });
    expect(can(p, 'demo', SAMPLE.topic, 'C')).toBe(true);
    expect(can(p, 'demo', SAMPLE.topic, 'R')).toBe(false);
    expect(can(p, 'demo', SAMPLE.doc, 'C')).toBe(false);
    expect(can(p, 'demo', SAMPLE.channel, 'C')).toBe(false);
  });

  it('subscribe and publish together grant R and C on topics', () => {
    const p = principal({ realm: 'demo', permissions: ['subscribe', 'publish'] });
    expect(can(p, 'demo', SAMPLE.topic, 'R')).toBe(true);
    expect(can(p, 'demo', SAMPLE.topic, 'C')).toBe(true);
    expect(can(p, 'demo', SAMPLE.topic, 'U')).toBe(false);
  });

  it.each(['fly', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])('an unknown capability %j grants nothing', (capability) => {
    const p = principal({ realm: 'demo', permissions: [capability] });
    for (const kind of RESOURCE_KINDS) {
      for (const letter of LETTERS) expect(can(p, 'demo', SAMPLE[kind], letter)).toBe(false);
    }
  });

  it('a token with only capabilities is not also a client', () => {
    const p = principal({ realm: 'demo', permissions: ['subscribe'] });
    expect(can(p, 'demo', SAMPLE.doc, 'R')).toBe(false);
  });
});

describe('can: per grants', () => {
  it('an exact pattern grants its letters on that id only', () => {
    const p = principal({ per: { demo: { 'doc/notes/a': 'RU' } } });
    expect(can(p, 'demo', 'doc/notes/a', 'R')).toBe(true);
    expect(can(p, 'demo', 'doc/notes/a', 'U')).toBe(true);
    expect(can(p, 'demo', 'doc/notes/a', 'D')).toBe(false);
    expect(can(p, 'demo', 'doc/notes/b', 'R')).toBe(false);
  });

  it('a per-only token has no client role', () => {
    const p = principal({ per: { demo: { 'doc/notes/a': 'R' } } });
    expect(can(p, 'demo', SAMPLE.topic, 'R')).toBe(false);
    expect(can(p, 'demo', SAMPLE.channel, 'R')).toBe(false);
  });

  it('an inner `*` grants one segment', () => {
    const p = principal({ per: { demo: { 'doc/*/draft': 'U' } } });
    expect(can(p, 'demo', docResource('notes', 'draft'), 'U')).toBe(true);
    expect(can(p, 'demo', docResource('tasks', 'draft'), 'U')).toBe(true);
    expect(can(p, 'demo', docResource('notes', 'final'), 'U')).toBe(false);
    expect(can(p, 'demo', 'doc/a/b/draft', 'U')).toBe(false);
  });

  it('a trailing `*` grants the rest', () => {
    const p = principal({ per: { demo: { 'topic/session.*': 'C', 'object/riders/*': 'RP' } } });
    expect(can(p, 'demo', topicResource('session.status'), 'C')).toBe(true);
    expect(can(p, 'demo', topicResource('order.updated'), 'C')).toBe(false);
    expect(can(p, 'demo', objectResource('riders/7'), 'P')).toBe(true);
    expect(can(p, 'demo', objectResource('riders/7/gps'), 'R')).toBe(true);
    expect(can(p, 'demo', objectResource('scooters/7'), 'R')).toBe(false);
  });

  it('an inner-segment `*` matches within its segment', () => {
    const p = principal({ per: { demo: { 'doc/no*s/x': 'D' } } });
    expect(can(p, 'demo', 'doc/notes/x', 'D')).toBe(true);
    expect(can(p, 'demo', 'doc/tasks/x', 'D')).toBe(false);
  });

  it('a letters string is shorthand for every resource in the realm', () => {
    const p = principal({ per: { demo: 'CR' } });
    for (const kind of RESOURCE_KINDS) {
      expect(can(p, 'demo', SAMPLE[kind], 'C')).toBe(true);
      expect(can(p, 'demo', SAMPLE[kind], 'R')).toBe(true);
      expect(can(p, 'demo', SAMPLE[kind], 'U')).toBe(false);
    }
  });

  it('a Hivekit object id pattern applies to objects and areas with that id, and to nothing else', () => {
    const john = principal({ sub: 'johndoe-123', per: { london: { 'deliveryRiders/*': 'R', 'deliveryRides/johndoe-123': 'CU' } } });
    expect(can(john, 'london', objectResource('deliveryRiders/7'), 'R')).toBe(true);
    expect(can(john, 'london', areaResource('deliveryRiders/zone'), 'R')).toBe(true);
    expect(can(john, 'london', objectResource('deliveryRiders/7'), 'U')).toBe(false);
    expect(can(john, 'london', objectResource('deliveryRides/johndoe-123'), 'C')).toBe(true);
    expect(can(john, 'london', objectResource('deliveryRides/johndoe-123'), 'U')).toBe(true);
    expect(can(john, 'london', objectResource('deliveryRides/someone-else'), 'U')).toBe(false);
    expect(can(john, 'london', topicResource('deliveryRiders.7'), 'R')).toBe(false);
    expect(can(john, 'london', 'topic/deliveryRiders/7', 'R')).toBe(false);
    expect(can(john, 'london', docResource('deliveryRiders', '7'), 'R')).toBe(false);
  });

  it('a pattern that names a resource kind keeps its meaning', () => {
    const p = principal({ per: { demo: { 'topic/*': 'R', 'object/riders/*': 'U' } } });
    expect(can(p, 'demo', objectResource('topic/x'), 'R')).toBe(false);
    expect(can(p, 'demo', objectResource('riders/7'), 'U')).toBe(true);
    expect(can(p, 'demo', areaResource('riders/7'), 'U')).toBe(false);
  });

  it('an empty letters string grants nothing', () => {
    const p = principal({ per: { demo: { 'doc/*': '' } } });
    for (const letter of LETTERS) expect(can(p, 'demo', SAMPLE.doc, letter)).toBe(false);
  });

  it('a `*` realm key applies in every realm the token grants, and grants no realm itself', () => {
    const p = principal({ realm: 'home', per: { '*': { 'object/riders/*': 'R' }, away: { 'doc/x': 'R' } } });
    expect(can(p, 'home', objectResource('riders/1'), 'R')).toBe(true);
    expect(can(p, 'away', objectResource('riders/1'), 'R')).toBe(true);
    expect(can(p, 'home', objectResource('riders/1'), 'U')).toBe(false);
    expect(can(p, 'home', objectResource('cars/1'), 'R')).toBe(false);
    expect(hasRealm(p, 'anywhere')).toBe(false);
    expect(can(p, 'anywhere', objectResource('riders/1'), 'R')).toBe(false);
  });

  it('a `*` realm key applies in every realm of an all-realms token', () => {
    const p = principal({ realms: ['*'], permissions: [], per: { '*': { 'object/riders/*': 'R' } } });
    expect(can(p, 'anywhere', objectResource('riders/1'), 'R')).toBe(true);
    expect(can(p, 'anywhere', objectResource('cars/1'), 'R')).toBe(false);
  });

  it('the union of matching grants applies', () => {
    const p = principal({ per: { demo: { 'doc/notes/*': 'R', 'doc/notes/a': 'U', 'doc/*/a': 'D' }, '*': { 'doc/*': 'P' } } });
    for (const letter of ['R', 'U', 'D', 'P'] as const) expect(can(p, 'demo', 'doc/notes/a', letter)).toBe(true);
    expect(can(p, 'demo', 'doc/notes/a', 'C')).toBe(false);
    expect(can(p, 'demo', 'doc/notes/b', 'R')).toBe(true);
    expect(can(p, 'demo', 'doc/notes/b', 'U')).toBe(false);
    expect(can(p, 'demo', 'doc/tasks/a', 'D')).toBe(true);
    expect(can(p, 'demo', 'doc/tasks/a', 'R')).toBe(false);
  });

  it('per adds to what roles grant', () => {
    const p = principal({ realm: 'demo', permissions: ['client'], per: { demo: { 'doc/notes/*': 'U' } } });
    expect(can(p, 'demo', 'doc/notes/a', 'R')).toBe(true); // from client
    expect(can(p, 'demo', 'doc/notes/a', 'U')).toBe(true); // from per
    expect(can(p, 'demo', 'doc/tasks/a', 'U')).toBe(false);
    expect(can(p, 'demo', SAMPLE.channel, 'C')).toBe(true); // from client
  });

  it('a dpv claim grants neither a realm nor a permission', () => {
    const p = principal({ permissions: [], dpv: { fleet: ['object/riders/*'], '*': ['object/*'] } });
    expect(hasRealm(p, 'fleet')).toBe(false);
    expect(hasRealm(p, 'anywhere')).toBe(false);
    expect(can(p, 'fleet', objectResource('riders/1'), 'R')).toBe(false);
    expect(hasRealm(p, 'default')).toBe(true);
    expect(can(p, 'default', objectResource('riders/1'), 'P')).toBe(false);
  });
});

describe('realms', () => {
  it.each<[string, Partial<RealtimeClaims>, string]>([
    ['realms', { realms: ['a', 'b'] }, 'b'],
    ['realm', { realm: 'a' }, 'a'],
    ['per keys', { realm: 'a', per: { b: 'R' } }, 'b'],
    ['realms: *', { realms: ['*'] }, 'anything'],
    ['realm: *', { realm: '*' }, 'anything'],
    ['no realm claim at all', {}, 'default'],
    ['per key * alone (a token naming no realm)', { per: { '*': 'R' } }, 'default'],
    ['dpv alone (a token naming no realm)', { dpv: { fleet: ['object/*'] } }, 'default'],
  ])('grants a realm through %s', (_label, claims, realm) => {
    expect(hasRealm(principal(claims), realm)).toBe(true);
  });

  it.each<[string, Partial<RealtimeClaims>, string]>([
    ['a dpv key', { realm: 'a', dpv: { b: ['object/*'] } }, 'b'],
    ['a dpv key *', { realm: 'a', dpv: { '*': ['object/*'] } }, 'anything'],
    ['a per key *', { realm: 'a', per: { '*': 'CRUDP' } }, 'anything'],
    ['a per key * without realm claims', { per: { '*': 'CRUDP' } }, 'anything'],
    ['a dpv key * without realm claims', { dpv: { '*': ['object/*'] } }, 'anything'],
  ])('grants no realm through %s', (_label, claims, realm) => {
    const p = principal(claims);
    expect(hasRealm(p, realm)).toBe(false);
    expect(thrown(() => resolveRealm(p, realm))).toBeInstanceOf(ForbiddenError);
  });

  it('does not grant realms the token does not name', () => {
    expect(hasRealm(principal({ realms: ['a', 'b'] }), 'c')).toBe(false);
    expect(hasRealm(principal({ realm: 'a' }), 'default')).toBe(false);
    expect(hasRealm(principal({}), 'demo')).toBe(false);
  });

  it('never treats `*` or an invalid id as a realm, even for an all-realms token', () => {
    const p = principal({ realms: ['*'], permissions: ['admin'] });
    expect(hasRealm(p, '*')).toBe(false);
    expect(hasRealm(p, '')).toBe(false);
    expect(hasRealm(p, 'a/b')).toBe(false);
    expect(can(p, '*', SAMPLE.doc, 'R')).toBe(false);
  });

  it('a token naming no realm works in realm "default"', () => {
    const p = principal({});
    expect(can(p, 'default', SAMPLE.topic, 'R')).toBe(true);
    expect(resolveRealm(p)).toBe('default');
  });

  it('a per grant in realm A never applies in realm B', () => {
    const p = principal({ per: { a: { '*': 'CRUDP' }, b: { 'doc/*': 'R' } } });
    expect(can(p, 'a', SAMPLE.doc, 'C')).toBe(true);
    expect(can(p, 'b', SAMPLE.doc, 'R')).toBe(true);
    expect(can(p, 'b', SAMPLE.doc, 'C')).toBe(false);
    expect(can(p, 'b', SAMPLE.topic, 'R')).toBe(false);
  });

  it('a per grant does not leak into other realms of an all-realms token', () => {
    const p = principal({ realms: ['*'], permissions: [], per: { a: { 'doc/*': 'U' } } });
    expect(can(p, 'a', SAMPLE.doc, 'U')).toBe(true);
    expect(can(p, 'b', SAMPLE.doc, 'U')).toBe(false);
  });

  it('roles apply only in granted realms', () => {
    const admin = principal({ realm: 'a', permissions: ['admin'] });
    expect(can(admin, 'a', SAMPLE.doc, 'D')).toBe(true);
    for (const kind of RESOURCE_KINDS) {
      for (const letter of LETTERS) expect(can(admin, 'b', SAMPLE[kind], letter)).toBe(false);
    }
    const client = principal({ realm: 'a' });
    expect(can(client, 'b', SAMPLE.topic, 'R')).toBe(false);
    const subscriber = principal({ realm: 'a', permissions: ['subscribe'] });
    expect(can(subscriber, 'b', SAMPLE.topic, 'R')).toBe(false);
  });

  it('roles apply only in the realms of realm/realms, not in realms named only as per keys', () => {
    const p = principal({ realm: 'london', permissions: ['admin', 'publish'], per: { paris: { 'doc/notes/x': 'R' } } });
    expect(can(p, 'london', SAMPLE.doc, 'D')).toBe(true);
    expect(isAdmin(p, 'london')).toBe(true);
    expect(can(p, 'paris', 'doc/notes/x', 'R')).toBe(true);
    expect(can(p, 'paris', 'doc/notes/x', 'D')).toBe(false);
    expect(can(p, 'paris', 'doc/notes/y', 'R')).toBe(false);
    expect(can(p, 'paris', SAMPLE.topic, 'C')).toBe(false);
    expect(isAdmin(p, 'paris')).toBe(false);
    expect(rightsIn(p, 'london')).toEqual({ roles: ['admin'], capabilities: ['publish'] });
    expect(rightsIn(p, 'paris')).toEqual({ roles: [], capabilities: [] });
  });

  it('roles of a token naming realms only as per keys apply nowhere', () => {
    const p = principal({ permissions: ['admin'], per: { paris: { 'doc/notes/x': 'R' } } });
    expect(can(p, 'paris', 'doc/notes/x', 'R')).toBe(true);
    expect(can(p, 'paris', 'doc/notes/x', 'D')).toBe(false);
    expect(isAdmin(p, 'paris')).toBe(false);
    expect(hasRealm(p, 'default')).toBe(false);
  });

  it('roles apply in "default" for a token naming no realm, also with a per key *', () => {
    const p = principal({ permissions: ['service'], per: { '*': { 'webhook/*': 'R' } } });
    expect(can(p, 'default', SAMPLE.doc, 'D')).toBe(true);
    expect(can(p, 'default', 'webhook/w1', 'R')).toBe(true);
    expect(rightsIn(p, 'default').roles).toEqual(['service']);
  });

  it('rightsIn answers nothing for `*`, invalid ids or realms the token does not grant', () => {
    const p = principal({ realms: ['*'], permissions: ['admin'] });
    expect(rightsIn(p, 'x').roles).toEqual(['admin']);
    expect(rightsIn(p, '*').roles).toEqual([]);
    expect(rightsIn(p, 'a/b').roles).toEqual([]);
    expect(rightsIn(principal({ realm: 'a', permissions: ['admin'] }), 'b').roles).toEqual([]);
  });

  it('roles apply in every realm of an all-realms token', () => {
    const service = principal({ realms: ['*'], permissions: ['service'] });
    expect(can(service, 'x', SAMPLE.object, 'U')).toBe(true);
    expect(can(service, 'y', SAMPLE.user, 'C')).toBe(true);
  });
});

describe('can: letters', () => {
  it.each(['', 'CR', 'X', 'r'])('rejects a letter %j that is not one of C R U D P', (letter) => {
    const p = principal({ realm: 'demo', permissions: ['admin'], per: { demo: 'CRUDP' } });
    expect(can(p, 'demo', SAMPLE.doc, letter as PermissionLetter)).toBe(false);
  });
});

describe('isAdmin', () => {
  it('is true only for admins, only in their realms', () => {
    const admin = principal({ realms: ['a', 'b'], permissions: ['admin'] });
    expect(isAdmin(admin, 'a')).toBe(true);
    expect(isAdmin(admin, 'b')).toBe(true);
    expect(isAdmin(admin, 'c')).toBe(false);
    expect(isAdmin(principal({ realm: 'a', permissions: ['service'] }), 'a')).toBe(false);
    expect(isAdmin(principal({ realm: 'a', per: { a: 'CRUDP' } }), 'a')).toBe(false);
    expect(isAdmin(principal({ realms: ['*'], permissions: ['admin'] }), 'any')).toBe(true);
  });
});

describe('assertCan', () => {
  it('returns quietly when permitted', () => {
    expect(() => assertCan(principal({ realm: 'demo' }), 'demo', topicResource('order.updated'), 'R')).not.toThrow();
  });

  it('throws ForbiddenError naming the letter, resource and realm', () => {
    const err = thrown(() => assertCan(principal({ realm: 'demo' }), 'demo', topicResource('order.updated'), 'C'));
    expect(err).toBeInstanceOf(ForbiddenError);
    const forbidden = err as ForbiddenError;
    expect(forbidden.code).toBe(ErrorCode.FORBIDDEN);
    expect(forbidden.status).toBe(403);
    expect(forbidden.message).toBe('Not permitted: C on topic/order.updated in realm "demo"');
    expect(forbidden.details).toEqual({ realm: 'demo', resource: 'topic/order.updated', permission: 'C' });
  });

  it('throws for a realm the token does not grant', () => {
    const err = thrown(() => assertCan(principal({ realm: 'demo', permissions: ['admin'] }), 'other', SAMPLE.doc, 'R'));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).details).toEqual({ realm: 'other', resource: SAMPLE.doc, permission: 'R' });
  });
});

describe('resolveRealm', () => {
  it('returns a requested realm the token grants', () => {
    expect(resolveRealm(principal({ realms: ['a', 'b'] }), 'b')).toBe('b');
    expect(resolveRealm(principal({ realms: ['*'] }), 'anything')).toBe('anything');
  });

  it('uses the default realm when none is requested', () => {
    expect(resolveRealm(principal({ realm: 'demo' }))).toBe('demo');
    // The realm claim is the home realm, also when per names others (which need naming).
    expect(resolveRealm(principal({ realm: 'demo', per: { b: 'R' } }))).toBe('demo');
    expect(resolveRealm(principal({ per: { london: 'R' } }))).toBe('london');
    expect(resolveRealm(principal({ realm: 'london', dpv: { '*': ['object/*'] } }))).toBe('london');
    expect(resolveRealm(principal({ realm: 'demo' }), undefined)).toBe('demo');
    expect(resolveRealm(principal({}))).toBe('default');
  });

  it.each<[string, Partial<RealtimeClaims>]>([
    ['several realms', { realms: ['a', 'b'] }],
    ['all realms', { realms: ['*'] }],
    ['several per realms', { per: { a: 'R', b: 'R' } }],
  ])('requires a realm when the token grants %s', (_label, claims) => {
    const p = principal(claims);
    const err = thrown(() => resolveRealm(p));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((err as InvalidArgumentError).message).toMatch(/^realm is required/);
  });

  it('refuses a realm the token does not grant with ForbiddenError', () => {
    const err = thrown(() => resolveRealm(principal({ realms: ['a', 'b'] }), 'c'));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).message).toBe('Realm "c" is not granted by this token');
    expect((err as ForbiddenError).details).toEqual({ realm: 'c' });
  });

  it('refuses the "default" realm for a token that names another', () => {
    expect(thrown(() => resolveRealm(principal({ realm: 'demo' }), 'default'))).toBeInstanceOf(ForbiddenError);
  });

  it.each(['*', '', 'bad realm', 'a/b', 'r'.repeat(65)])(
    'refuses an invalid realm id %j with InvalidArgumentError, even for an all-realms token',
    (requested) => {
      const err = thrown(() => resolveRealm(principal({ realms: ['*'] }), requested));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).message).toMatch(/^Invalid realm id/);
    },
  );
});
