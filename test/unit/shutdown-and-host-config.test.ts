import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/index.js';

const SECRET = 'x'.repeat(32);

describe('HOST and SHUTDOWN_TIMEOUT_MS', () => {
  it('binds 127.0.0.1 in development mode unless HOST is set, and every interface otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ JWT_SECRET: SECRET }).host).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, CORS_ORIGINS: 'https://a.example' }).host).toBeUndefined();
  });

  it('drains for at most 10 s by default; SHUTDOWN_TIMEOUT_MS sets it, 0 stops at once', () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '30000' }).shutdownTimeoutMs).toBe(30_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '0' }).shutdownTimeoutMs).toBe(0);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(/SHUTDOWN_TIMEOUT_MS: must be a number of milliseconds/);
  });
});
