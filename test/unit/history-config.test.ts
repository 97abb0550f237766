import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/index.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig: history limits', () => {
  it('bounds history in bytes per stream, realm and node by default', () => {
    expect(loadConfig({}).history).toEqual({
      maxEvents: 1000,
      maxAgeMs: 300_000,
      maxStreamBytes: 1024 * 1024,
      maxRealmBytes: 16 * 1024 * 1024,
      maxNodeBytes: 64 * 1024 * 1024,
      maxStreamsPerRealm: 10_000,
    });
  });

  it('reads HISTORY_MAX_STREAM_BYTES, HISTORY_MAX_REALM_BYTES, HISTORY_MAX_NODE_BYTES and HISTORY_MAX_STREAMS_PER_REALM', () => {
    const env = {
      HISTORY_MAX_STREAM_BYTES: '65536',
      HISTORY_MAX_REALM_BYTES: '1048576',
      HISTORY_MAX_NODE_BYTES: '8388608',
      HISTORY_MAX_STREAMS_PER_REALM: '50',
    };
    expect(loadConfig(env).history).toMatchObject({
      maxStreamBytes: 65536,
      maxRealmBytes: 1048576,
      maxNodeBytes: 8388608,
      maxStreamsPerRealm: 50,
    });
    expect(problems({ HISTORY_MAX_STREAM_BYTES: '0', HISTORY_MAX_NODE_BYTES: 'lots' })).toEqual([
      'HISTORY_MAX_STREAM_BYTES: must be positive',
      'HISTORY_MAX_NODE_BYTES: must be a number',
    ]);
  });
});
