import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/index.js';

const SECRET = 'x'.repeat(32);

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('reads the plain WebSocket settings (WS_PATH, WS_MAX_*), "off" turning /ws off', () => {
    expect(loadConfig({}).ws).toEqual({ path: '/ws' });
    expect(loadConfig({ WS_PATH: 'off' }).ws).toEqual({ path: false });
    expect(loadConfig({ WS_PATH: '/realtime', WS_MAX_PENDING_REQUESTS: '10', WS_MAX_FRAME_MESSAGES: '20', WS_MAX_FRAME_BYTES: '4096' }).ws).toEqual({
      path: '/realtime',
      maxPendingRequests: 10,
      maxFrameMessages: 20,
      maxFrameBytes: 4096,
    });
    expect(problems({ WS_PATH: 'ws' }).join(' ')).toMatch(/WS_PATH/);
    expect(problems({ WS_MAX_FRAME_BYTES: '0' }).join(' ')).toMatch(/WS_MAX_FRAME_BYTES/);
  });

  it('starts in development mode with defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, logLevel: 'info', developmentMode: true, corsOrigins: '*', auth: {} });
    expect(config.limits).toMatchObject({ maxPayloadBytes: 65536, maxSubscriptionsPerConnection: 1000 });
    expect(config.documents).toEqual({ mongodbDb: 'realtime', maxDocumentBytes: 65536 });
  });

  it('reads every JWT setting', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      JWT_SECRETS: JSON.stringify({ k1: SECRET, k2: 'y'.repeat(40) }),
      JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      JWT_ALGORITHMS: 'RS256, EdDSA',
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'realtime',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      PORT: '0',
    });
    expect(config.developmentMode).toBe(false);
    expect(config.port).toBe(0);
    expect(config.auth).toEqual({
      secret: SECRET,
      secrets: { k1: SECRET, k2: 'y'.repeat(40) },
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      jwksAlgorithms: ['RS256', 'EdDSA'],
      issuer: 'https://idp.example',
      audience: 'realtime',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names each bad variable with a clear message', () => {
    const found = problems({
      PORT: '70000',
      LOG_LEVEL: 'loud',
      JWT_SECRET: 'short',
      JWT_SECRETS: '{not json',
      JWT_JWKS_URL: 'not a url',
      JWT_ALGORITHMS: 'HS256',
      MAX_PAYLOAD_BYTES: '-5',
    });
    const byVariable = (name: string) => found.find((problem) => problem.startsWith(`${name}:`));
    expect(byVariable('PORT')).toMatch(/between 0 and 65535/);
    expect(byVariable('LOG_LEVEL')).toMatch(/one of/);
    expect(byVariable('JWT_SECRET')).toMatch(/at least 32/);
    expect(byVariable('JWT_SECRETS')).toMatch(/JSON object/);
    expect(byVariable('JWT_JWKS_URL')).toMatch(/URL/);
    expect(byVariable('JWT_ALGORITHMS')).toMatch(/asymmetric/);
    expect(byVariable('MAX_PAYLOAD_BYTES')).toMatch(/positive/);
  });

  it('refuses production without JWT configuration or with CORS "*"', () => {
    expect(problems({ NODE_ENV: 'production' }).join('\n')).toMatch(/JWT_SECRET.*required when NODE_ENV=production/);
    expect(problems({ NODE_ENV: 'production', JWT_SECRET: SECRET, CORS_ORIGINS: '*' })).toEqual(['CORS_ORIGINS: "*" is not allowed when NODE_ENV=production']);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET });
    expect(config.developmentMode).toBe(false);
    expect(config.corsOrigins).toEqual([]);
  });

  it('reads the document storage settings', () => {
    expect(loadConfig({ MONGODB_URL: 'mongodb://db:27017', MONGODB_DB: 'rt_prod', SYNC_MAX_DOCUMENT_BYTES: '1024' }).documents).toEqual({
      mongodbUrl: 'mongodb://db:27017',
      mongodbDb: 'rt_prod',
      maxDocumentBytes: 1024,
    });
    expect(problems({ MONGODB_URL: 'postgres://x', MONGODB_DB: 'bad name' })).toEqual([
      'MONGODB_URL: must be a mongodb:// or mongodb+srv:// connection string',
      'MONGODB_DB: must be 1-63 letters, digits, _ or -',
    ]);
  });

  it('reads the channel and presence limits, with their defaults', () => {
    expect(loadConfig({}).limits).toMatchObject({
      maxChannelMembers: 1000,
      maxChannelsPerConnection: 100,
      maxPresenceStateBytes: 1024,
      presenceHeartbeatMs: 5000,
      presenceNodeTimeoutMs: 15000,
    });
    const config = loadConfig({
      MAX_CHANNEL_MEMBERS: '50',
      MAX_CHANNELS_PER_CONNECTION: '5',
      MAX_PRESENCE_STATE_BYTES: '512',
      PRESENCE_HEARTBEAT_MS: '1000',
      PRESENCE_NODE_TIMEOUT_MS: '3000',
    });
    expect(config.limits).toMatchObject({
      maxChannelMembers: 50,
      maxChannelsPerConnection: 5,
      maxPresenceStateBytes: 512,
      presenceHeartbeatMs: 1000,
      presenceNodeTimeoutMs: 3000,
    });
    expect(problems({ MAX_CHANNEL_MEMBERS: '0', PRESENCE_NODE_TIMEOUT_MS: '4000' })).toEqual([
      'MAX_CHANNEL_MEMBERS: must be positive',
      'PRESENCE_NODE_TIMEOUT_MS: must be greater than PRESENCE_HEARTBEAT_MS (5000)',
    ]);
  });

  it('reads the RPC, listening and user-presence limits, with their defaults', () => {
    expect(loadConfig({}).limits).toMatchObject({
      rpcAcceptTimeoutMs: 1000,
      rpcResponseTimeoutMs: 10000,
      maxRpcCallsPerConnection: 100,
      maxRpcCallsPerNode: 10000,
      maxProvidedRpcsPerConnection: 100,
      maxListensPerConnection: 100,
      listenAcceptTimeoutMs: 1000,
      maxWatchedUsersPerConnection: 1000,
    });
    const config = loadConfig({
      RPC_ACCEPT_TIMEOUT_MS: '200',
      RPC_RESPONSE_TIMEOUT_MS: '3000',
      MAX_RPC_CALLS_PER_CONNECTION: '5',
      MAX_RPC_CALLS_PER_NODE: '50',
      MAX_PROVIDED_RPCS_PER_CONNECTION: '7',
      MAX_LISTENS_PER_CONNECTION: '8',
      LISTEN_ACCEPT_TIMEOUT_MS: '300',
      MAX_WATCHED_USERS_PER_CONNECTION: '9',
    });
    expect(config.limits).toMatchObject({
      rpcAcceptTimeoutMs: 200,
      rpcResponseTimeoutMs: 3000,
      maxRpcCallsPerConnection: 5,
      maxRpcCallsPerNode: 50,
      maxProvidedRpcsPerConnection: 7,
      maxListensPerConnection: 8,
      listenAcceptTimeoutMs: 300,
      maxWatchedUsersPerConnection: 9,
    });
    expect(problems({ RPC_RESPONSE_TIMEOUT_MS: '0' })).toEqual(['RPC_RESPONSE_TIMEOUT_MS: must be positive']);
  });

  it('reads MAX_PAYLOAD_DEPTH (default 64, 4 to 1000)', () => {
    expect(loadConfig({}).limits.maxPayloadDepth).toBe(64);
    expect(loadConfig({ MAX_PAYLOAD_DEPTH: '20' }).limits.maxPayloadDepth).toBe(20);
    expect(problems({ MAX_PAYLOAD_DEPTH: '3' })).toEqual(['MAX_PAYLOAD_DEPTH: must be at least 4']);
    expect(problems({ MAX_PAYLOAD_DEPTH: '5000' })).toEqual(['MAX_PAYLOAD_DEPTH: must be at most 1000']);
  });

  it('reads the batch and login limits, with their defaults', () => {
    expect(loadConfig({}).limits).toMatchObject({
      maxBatchEntries: 100,
      maxBatchBytes: 524288,
      loginTimeoutMs: 10000,
      maxLoginAttempts: 5,
      maxPendingLogins: 10000,
    });
    const config = loadConfig({
      MAX_BATCH_ENTRIES: '20',
      MAX_BATCH_BYTES: '65536',
      LOGIN_TIMEOUT_MS: '3000',
      MAX_LOGIN_ATTEMPTS: '3',
      MAX_PENDING_LOGINS: '50',
    });
    expect(config.limits).toMatchObject({ maxBatchEntries: 20, maxBatchBytes: 65536, loginTimeoutMs: 3000, maxLoginAttempts: 3, maxPendingLogins: 50 });
    expect(problems({ MAX_BATCH_ENTRIES: '20000', LOGIN_TIMEOUT_MS: '0', MAX_LOGIN_ATTEMPTS: 'x' })).toEqual([
      'MAX_BATCH_ENTRIES: must be at most 10000',
      'LOGIN_TIMEOUT_MS: must be positive',
      'MAX_LOGIN_ATTEMPTS: must be a number',
    ]);
  });

  it('reads the auth hook (AUTH_HOOK_URL, AUTH_HOOK_TIMEOUT_MS default 5000); none when unset', () => {
    expect(loadConfig({}).authHook).toBeUndefined();
    expect(loadConfig({ AUTH_HOOK_URL: 'http://auth.internal/login' }).authHook).toEqual({ url: 'http://auth.internal/login', timeoutMs: 5000 });
    expect(loadConfig({ AUTH_HOOK_URL: 'https://a.example/x', AUTH_HOOK_TIMEOUT_MS: '800' }).authHook).toEqual({ url: 'https://a.example/x', timeoutMs: 800 });
    expect(problems({ AUTH_HOOK_URL: 'ftp://x', AUTH_HOOK_TIMEOUT_MS: '200000' })).toEqual([
      'AUTH_HOOK_URL: must be an http:// or https:// URL',
      'AUTH_HOOK_TIMEOUT_MS: must be at most 120000 (2 minutes)',
    ]);
  });

  it('reads batched frames (BATCHING on by default, BATCH_WINDOW_MS and BATCH_BUSY_WINDOW_MS 0 to 1000)', () => {
    expect(loadConfig({}).batching).toEqual({ windowMs: 0, busyWindowMs: 20 });
    expect(loadConfig({ BATCH_WINDOW_MS: '5', BATCH_BUSY_WINDOW_MS: '0' }).batching).toEqual({ windowMs: 5, busyWindowMs: 0 });
    expect(problems({ BATCH_BUSY_WINDOW_MS: '1001' })).toEqual(['BATCH_BUSY_WINDOW_MS: must be between 0 and 1000']);
    expect(loadConfig({ BATCHING: 'off', BATCH_WINDOW_MS: '5' }).batching).toBe(false);
    expect(problems({ BATCHING: 'no', BATCH_WINDOW_MS: '2000' })).toEqual(['BATCHING: must be on or off', 'BATCH_WINDOW_MS: must be between 0 and 1000']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', JWT_SECRET: '' }).port).toBe(3000);
  });
});
