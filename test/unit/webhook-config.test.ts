import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../server/index.js';

describe('webhook configuration (environment)', () => {
  it('refuses private networks and waits 15 s per attempt by default', () => {
    expect(loadConfig({}).webhooks).toEqual({ allowPrivateNetworks: false, requestTimeoutMs: 15_000 });
  });

  it('reads WEBHOOKS_ALLOW_PRIVATE_NETWORKS and WEBHOOKS_REQUEST_TIMEOUT_MS', () => {
    expect(loadConfig({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOKS_REQUEST_TIMEOUT_MS: '5000' }).webhooks).toEqual({
      allowPrivateNetworks: true,
      requestTimeoutMs: 5000,
    });
  });

  it('names bad values', () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'yes', WEBHOOKS_REQUEST_TIMEOUT_MS: '999999' })).toEqual([
      'WEBHOOKS_ALLOW_PRIVATE_NETWORKS: must be true or false',
      'WEBHOOKS_REQUEST_TIMEOUT_MS: must be at most 120000 (2 minutes)',
    ]);
  });
});
