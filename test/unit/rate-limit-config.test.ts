import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_RATE_LIMITS, loadConfig, resolveRateLimitOptions } from '../../server/index.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('rate limit configuration', () => {
  it('is on by default, with the documented defaults', () => {
    expect(loadConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(DEFAULT_RATE_LIMITS).toEqual({
      enabled: true,
      publishes: { perConnection: 100, perUser: 500, perRealm: 5000 },
      messages: { perConnection: 100, perUser: 500, perRealm: 5000 },
      subscribes: { perConnection: 50, perUser: 250, perRealm: 10_000 },
      connectionsPerUser: 100,
      connectionRetryAfterMs: 5000,
      exemptRoles: ['admin', 'service'],
    });
  });

  it('reads every RATE_LIMIT* variable; 0 turns one limit off', () => {
    const config = loadConfig({
      RATE_LIMITS_ENABLED: 'false',
      RATE_LIMIT_PUBLISHES_PER_CONNECTION: '20',
      RATE_LIMIT_PUBLISHES_PER_USER: '0',
      RATE_LIMIT_PUBLISHES_PER_REALM: '900',
      RATE_LIMIT_MESSAGES_PER_CONNECTION: '21',
      RATE_LIMIT_MESSAGES_PER_USER: '22',
      RATE_LIMIT_MESSAGES_PER_REALM: '23',
      RATE_LIMIT_SUBSCRIBES_PER_CONNECTION: '24',
      RATE_LIMIT_SUBSCRIBES_PER_USER: '25',
      RATE_LIMIT_SUBSCRIBES_PER_REALM: '26',
      RATE_LIMIT_CONNECTIONS_PER_USER: '3',
      RATE_LIMIT_EXEMPT_ROLES: 'none',
    });
    expect(config.rateLimits).toEqual({
      enabled: false,
      publishes: { perConnection: 20, perUser: 0, perRealm: 900 },
      messages: { perConnection: 21, perUser: 22, perRealm: 23 },
      subscribes: { perConnection: 24, perUser: 25, perRealm: 26 },
      connectionsPerUser: 3,
      connectionRetryAfterMs: 5000,
      exemptRoles: [],
    });
    expect(loadConfig({ RATE_LIMIT_EXEMPT_ROLES: 'service' }).rateLimits.exemptRoles).toEqual(['service']);
  });

  it('names each bad variable', () => {
    expect(problems({ RATE_LIMIT_MESSAGES_PER_USER: '-1', RATE_LIMIT_CONNECTIONS_PER_USER: 'many', RATE_LIMITS_ENABLED: 'yes' })).toEqual([
      expect.stringMatching(/^RATE_LIMITS_ENABLED: /),
      expect.stringMatching(/^RATE_LIMIT_MESSAGES_PER_USER: /),
      expect.stringMatching(/^RATE_LIMIT_CONNECTIONS_PER_USER: /),
    ]);
    expect(problems({ RATE_LIMIT_EXEMPT_ROLES: 'root' })).toEqual([expect.stringMatching(/^RATE_LIMIT_EXEMPT_ROLES: /)]);
  });

  it('validates options given in code', () => {
    expect(() => resolveRateLimitOptions({ publishes: { perUser: 1.5 } })).toThrow(/rateLimits\.publishes\.perUser/);
    expect(() => resolveRateLimitOptions({ connectionsPerUser: -1 })).toThrow(/connectionsPerUser/);
    expect(() => resolveRateLimitOptions({ exemptRoles: ['root' as 'admin'] })).toThrow(/exemptRoles/);
    expect(resolveRateLimitOptions({ messages: { perConnection: 7 } }).messages).toEqual({ perConnection: 7, perUser: 500, perRealm: 5000 });
  });
});
