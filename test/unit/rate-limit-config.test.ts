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
      writes: { perConnection: 50, perUser: 250, perRealm: 2000 },
      presence: { perConnection: 50, perUser: 250, perRealm: 5000 },
      locations: { perConnection: 100, perUser: 500, perRealm: 20_000 },
      connectionsPerUser: 100,
      connectionRetryAfterMs: 5000,
      exemptRoles: ['admin', 'service'],
    });
  });

  it('lets a connection re-join as many channels at once as it may hold under the default presence limit', () => {
    // A re-join after a reconnect sends one join per channel and open document, up to
    // maxChannelsPerConnection, at once; the rate plus its burst (as many again) must cover it.
    expect(DEFAULT_RATE_LIMITS.presence.perConnection * 2).toBeGreaterThanOrEqual(loadConfig({}).limits.maxChannelsPerConnection);
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
      RATE_LIMIT_WRITES_PER_CONNECTION: '27',
      RATE_LIMIT_WRITES_PER_USER: '28',
      RATE_LIMIT_WRITES_PER_REALM: '0',
      RATE_LIMIT_PRESENCE_PER_CONNECTION: '30',
      RATE_LIMIT_PRESENCE_PER_USER: '31',
      RATE_LIMIT_PRESENCE_PER_REALM: '32',
      RATE_LIMIT_LOCATIONS_PER_CONNECTION: '33',
      RATE_LIMIT_LOCATIONS_PER_USER: '34',
      RATE_LIMIT_LOCATIONS_PER_REALM: '35',
      RATE_LIMIT_CONNECTIONS_PER_USER: '3',
      RATE_LIMIT_EXEMPT_ROLES: 'none',
    });
    expect(config.rateLimits).toEqual({
      enabled: false,
      publishes: { perConnection: 20, perUser: 0, perRealm: 900 },
      messages: { perConnection: 21, perUser: 22, perRealm: 23 },
      subscribes: { perConnection: 24, perUser: 25, perRealm: 26 },
      writes: { perConnection: 27, perUser: 28, perRealm: 0 },
      presence: { perConnection: 30, perUser: 31, perRealm: 32 },
      locations: { perConnection: 33, perUser: 34, perRealm: 35 },
      connectionsPerUser: 3,
      connectionRetryAfterMs: 5000,
      exemptRoles: [],
    });
    expect(loadConfig({ RATE_LIMIT_EXEMPT_ROLES: 'service' }).rateLimits.exemptRoles).toEqual(['service']);
    // One variable of an action leaves its other scopes at their defaults.
    expect(loadConfig({ RATE_LIMIT_WRITES_PER_USER: '9' }).rateLimits.writes).toEqual({ perConnection: 50, perUser: 9, perRealm: 2000 });
    expect(loadConfig({ RATE_LIMIT_PRESENCE_PER_REALM: '0' }).rateLimits.presence).toEqual({ perConnection: 50, perUser: 250, perRealm: 0 });
  });

  it('names each bad variable', () => {
    expect(problems({ RATE_LIMIT_MESSAGES_PER_USER: '-1', RATE_LIMIT_CONNECTIONS_PER_USER: 'many', RATE_LIMITS_ENABLED: 'yes' })).toEqual([
      expect.stringMatching(/^RATE_LIMITS_ENABLED: /),
      expect.stringMatching(/^RATE_LIMIT_MESSAGES_PER_USER: /),
      expect.stringMatching(/^RATE_LIMIT_CONNECTIONS_PER_USER: /),
    ]);
    expect(problems({ RATE_LIMIT_EXEMPT_ROLES: 'root' })).toEqual([expect.stringMatching(/^RATE_LIMIT_EXEMPT_ROLES: /)]);
    expect(problems({ RATE_LIMIT_WRITES_PER_CONNECTION: '2.5', RATE_LIMIT_PRESENCE_PER_USER: 'lots' })).toEqual([
      expect.stringMatching(/^RATE_LIMIT_WRITES_PER_CONNECTION: /),
      expect.stringMatching(/^RATE_LIMIT_PRESENCE_PER_USER: /),
    ]);
  });

  it('validates options given in code', () => {
    expect(() => resolveRateLimitOptions({ publishes: { perUser: 1.5 } })).toThrow(/rateLimits\.publishes\.perUser/);
    expect(() => resolveRateLimitOptions({ connectionsPerUser: -1 })).toThrow(/connectionsPerUser/);
    expect(() => resolveRateLimitOptions({ exemptRoles: ['root' as 'admin'] })).toThrow(/exemptRoles/);
    expect(resolveRateLimitOptions({ messages: { perConnection: 7 } }).messages).toEqual({ perConnection: 7, perUser: 500, perRealm: 5000 });
    expect(() => resolveRateLimitOptions({ writes: { perRealm: -5 } })).toThrow(/rateLimits\.writes\.perRealm/);
    expect(() => resolveRateLimitOptions({ presence: { perConnection: Number.NaN } })).toThrow(/rateLimits\.presence\.perConnection/);
    expect(resolveRateLimitOptions({ presence: { perUser: 7 } }).presence).toEqual({ perConnection: 50, perUser: 7, perRealm: 5000 });
  });
});
