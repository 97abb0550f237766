import type { DatabaseEventsOptions } from './database-events/database-events.js';
import { POSTGRES_NAME_PATTERN } from './database-events/postgres-names.js';
import { z } from 'zod';
import type { RedisConnectionOptions } from './cluster/redis-connection-options.js';
import { DEFAULT_MAX_PAYLOAD_DEPTH } from '../shared/index.js';
import { DEFAULT_HISTORY_LIMITS, type HistoryLimits } from './history/event-history.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './sync/document-operations.js';
import { resolveObjectLimits, type ResolvedObjectLimits } from './objects/object-limits.js';
import type { PlainWebSocketOptions } from './wire/plain-websocket-endpoint.js';
import { RATE_LIMIT_ENV_SHAPE, rateLimitOptionsFromEnv } from './limits/rate-limit-env.js';
import { resolveRateLimitOptions, type ResolvedRateLimits } from './limits/rate-limit-options.js';
import { DEFAULT_BUSY_WINDOW_MS, MAX_BATCH_WINDOW_MS } from './wire/batched-frames.js';

/**
 * How the server verifies tokens. At least one of `secret`, `secrets` or `jwksUrl` is required.
 */
export interface AuthOptions {
  /** HS256 shared secret (the UTF-8 bytes of the string), used for tokens without a `kid`. */
  secret?: string;
  /** HS256 shared secrets keyed by `kid`; several at once allow rotation. */
  secrets?: Record<string, string>;
  /** JWKS endpoint for asymmetric tokens. */
  jwksUrl?: string;
  /**
   * Algorithms accepted from the JWKS.
   * @default ['RS256', 'ES256']
   */
  jwksAlgorithms?: string[];
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud`, when set. */
  audience?: string;
  /**
   * Clock skew tolerated when checking `exp` and `nbf`, in seconds.
   * @default 0
   */
  clockToleranceSeconds?: number;
}

/**
 * Caps that protect the server from one client.
 */
export interface LimitOptions {
  /**
   * Largest event payload (JSON bytes) accepted from a client or REST caller.
   * @default 65536
   */
  maxPayloadBytes?: number;
  /**
   * Deepest nesting of objects and arrays in one socket request or REST body (the request object
   * is level 1); checked before anything else reads the request, `INVALID_ARGUMENT` beyond.
   * @default 64
   */
  maxPayloadDepth?: number;
  /**
   * Most live subscriptions one connection may hold.
   * @default 1000
   */
  maxSubscriptionsPerConnection?: number;
  /**
   * Most filter cost one connection's subscriptions may add up to, summed over them: 1 per filter
   * key, plus 1 per `in` value, plus 1 per character of a `like` pattern (`filterCost` in
   * shared/). Bounds the work one connection adds to every event; `LIMIT_EXCEEDED` at subscribe.
   * @default 20000
   */
  maxFilterCostPerConnection?: number;
  /**
   * Most connections one channel (or one document's presence) may hold; `LIMIT_EXCEEDED` beyond.
   * @default 1000
   */
  maxChannelMembers?: number;
  /**
   * Most channels one connection may be in, documents it has open included.
   * @default 100
   */
  maxChannelsPerConnection?: number;
  /**
   * Largest presence state (JSON bytes) a member may set.
   * @default 1024
   */
  maxPresenceStateBytes?: number;
  /**
   * How often each node renews its presence heartbeat and sweeps entries of dead nodes, ms.
   * @default 5000
   */
  presenceHeartbeatMs?: number;
  /**
   * How long after its last heartbeat a node counts as dead and its presence entries (members,
   * connections, data providers) are removed, ms. A dead node's entries are gone within
   * `presenceNodeTimeoutMs + presenceHeartbeatMs`. Must exceed `presenceHeartbeatMs`.
   * @default 15000
   */
  presenceNodeTimeoutMs?: number;
  /**
   * Most requests in one `batch` frame; a larger batch is refused whole with `LIMIT_EXCEEDED`
   * (`RealtimeClient` never sends one: it starts a new batch).
   * @default 100
   */
  maxBatchEntries?: number;
  /**
   * Largest `batch` (the JSON bytes of its entries); a larger one is refused whole with
   * `PAYLOAD_TOO_LARGE`. At most the frame limit (`max(1 MB, 4 × maxPayloadBytes)`).
   * @default 524288
   */
  maxBatchBytes?: number;
  /**
   * Bytes waiting to be sent to one connection past which it is closed (a client that does not
   * read); it reconnects and recovers from history like after any disconnect.
   * @default 4194304 (4 MiB)
   */
  maxQueuedBytesPerConnection?: number;
  /**
   * How long a connection opened without a token may wait before its `auth:login`, ms; it is
   * told `AUTH_FAILED` (`auth:expired`) and closed after that.
   * @default 10000
   */
  loginTimeoutMs?: number;
  /**
   * Failed `auth:login` attempts one connection may make; the last one is answered
   * `TOO_MANY_AUTH_ATTEMPTS` and the connection is closed.
   * @default 5
   */
  maxLoginAttempts?: number;
  /**
   * Connections opened without a token that one node holds at once, waiting for their login;
   * further tokenless handshakes get `RATE_LIMITED` with `retryAfterMs`.
   * @default 10000
   */
  maxPendingLogins?: number;
  /**
   * How long a provider offered an RPC call has to accept or reject it, ms; `ACCEPT_TIMEOUT` beyond.
   * @default 1000
   */
  rpcAcceptTimeoutMs?: number;
  /**
   * How long a provider that accepted an RPC call has to answer it, ms; `RESPONSE_TIMEOUT` beyond.
   * @default 10000
   */
  rpcResponseTimeoutMs?: number;
  /**
   * Most RPC calls one connection may have in flight as the caller; `LIMIT_EXCEEDED` beyond.
   * @default 100
   */
  maxRpcCallsPerConnection?: number;
  /**
   * Most RPC calls one node may have in flight (made through it, over the socket and REST).
   * @default 10000
   */
  maxRpcCallsPerNode?: number;
  /**
   * Most RPC names one connection may provide (in all realms).
   * @default 100
   */
  maxProvidedRpcsPerConnection?: number;
  /**
   * Most listen patterns one connection may hold (in all realms, topics and records).
   * @default 100
   */
  maxListensPerConnection?: number;
  /**
   * How long a listener offered a stream has to accept or reject it, ms; then the next listener is offered it.
   * @default 1000
   */
  listenAcceptTimeoutMs?: number;
  /**
   * Most users one connection may watch for login and logout (`users:subscribe`; "every user" counts one).
   * @default 1000
   */
  maxWatchedUsersPerConnection?: number;
}

/** Limits with every default applied. */
export type ResolvedLimits = Required<LimitOptions>;

/** The limits used when none are given. */
export const DEFAULT_LIMITS: ResolvedLimits = {
  maxPayloadBytes: 64 * 1024,
  maxPayloadDepth: DEFAULT_MAX_PAYLOAD_DEPTH,
  maxSubscriptionsPerConnection: 1000,
  maxFilterCostPerConnection: 20_000,
  maxChannelMembers: 1000,
  maxChannelsPerConnection: 100,
  maxPresenceStateBytes: 1024,
  presenceHeartbeatMs: 5000,
  presenceNodeTimeoutMs: 15_000,
  maxBatchEntries: 100,
  maxBatchBytes: 512 * 1024,
  maxQueuedBytesPerConnection: 4 * 1024 * 1024,
  loginTimeoutMs: 10_000,
  maxLoginAttempts: 5,
  maxPendingLogins: 10_000,
  rpcAcceptTimeoutMs: 1000,
  rpcResponseTimeoutMs: 10_000,
  maxRpcCallsPerConnection: 100,
  maxRpcCallsPerNode: 10_000,
  maxProvidedRpcsPerConnection: 100,
  maxListensPerConnection: 100,
  listenAcceptTimeoutMs: 1000,
  maxWatchedUsersPerConnection: 1000,
};

/** Log levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The server's configuration as read from the environment by {@link loadConfig}.
 */
export interface ServerConfig {
  port: number;
  host?: string;
  nodeEnv: string;
  logLevel: LogLevel;
  /** Allowed browser origins; `'*'` allows any. */
  corsOrigins: string[] | '*';
  auth: AuthOptions;
  /** True when no JWT configuration was given outside production: an ephemeral secret is in use. */
  developmentMode: boolean;
  limits: ResolvedLimits;
  /** Request rate limits and connections per user (`RATE_LIMIT*`). */
  rateLimits: ResolvedRateLimits;
  /** Sync document storage: MongoDB when `mongodbUrl` is set, else the embedded in-memory store. */
  documents: DocumentsConfig;
  /** Cluster mode: set when `REDIS_URL` or `REDIS_CLUSTER_NODES` is (`REDIS_ADAPTER` picks classic or sharded pub/sub). */
  redis?: RedisConnectionOptions & { keyPrefix: string };
  /** Recent events kept per topic stream for recovery. */
  history: Required<HistoryLimits>;
  /** Bounds of the objects feature (`OBJECTS_*`). */
  objects: ResolvedObjectLimits;
  /** Outbound webhooks: private-network policy and the timeout of one attempt. */
  webhooks: { allowPrivateNetworks: boolean; requestTimeoutMs: number };
  /** The HTTP auth hook of `auth:login { params }` (`AUTH_HOOK_URL`, `AUTH_HOOK_TIMEOUT_MS`). */
  authHook?: { url: string; timeoutMs: number };
  /** Encrypts managed signing keys at rest (`SIGNING_KEYS_SECRET`); `JWT_SECRET` when unset. */
  signingKeysSecret?: string;
  /** Who may scrape `/metrics` (`METRICS_TOKEN`, `METRICS_PUBLIC`); a platform admin's JWT always may. */
  metrics: { scrapeToken?: string; public: boolean };
  /** Serve the demo app at `/demo/` (`DEMO_ENABLED`); development mode serves it at `/` regardless. */
  demoEnabled: boolean;
  /** The plain WebSocket protocol (`WS_PATH`, `WS_MAX_*`). */
  ws: PlainWebSocketOptions;
  /** Longest drain on SIGTERM/SIGINT before the process exits anyway, ms (`SHUTDOWN_TIMEOUT_MS`). */
  shutdownTimeoutMs: number;
  /** Batched frames (`BATCHING=off` turns them off, `BATCH_WINDOW_MS` sets the window, `BATCH_BUSY_WINDOW_MS` the longest wait while busy). */
  batching: { windowMs: number; busyWindowMs: number } | false;
  /** Database events: the sources (`DATABASE_EVENTS_*`); none runs when their URLs are unset. */
  databaseEvents: DatabaseEventsOptions;
}

/** Where sync documents live. */
export interface DocumentsConfig {
  mongodbUrl?: string;
  /** @default 'realtime' */
  mongodbDb: string;
  /** Largest document data (JSON bytes). @default 65536 */
  maxDocumentBytes: number;
}

const MIN_SECRET_LENGTH = 32;

const secretSchema = z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters (HS256 needs a 256-bit secret)`);

const positiveInt = () => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive');

const envSchema = z
  .object({
    PORT: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(3000),
    HOST: z.string().min(1).optional(),
    NODE_ENV: z.string().default('development'),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    CORS_ORIGINS: z.string().optional(),
    JWT_SECRET: secretSchema.optional(),
    JWT_SECRETS: z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object mapping kid to secret, e.g. {"k1":"..."}' });
          return z.NEVER;
        }
      })
      .pipe(
        z.record(z.string().min(1, 'kid must not be empty'), secretSchema, {
          error: 'must be a JSON object mapping kid to secret, e.g. {"k1":"..."}',
        }),
      )
      .optional(),
    JWT_JWKS_URL: z.url({ error: 'must be an http(s) URL' }).optional(),
    JWT_ALGORITHMS: z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'], {
            error: 'must list asymmetric JWS algorithms such as RS256,ES256',
          }),
        ),
      )
      .optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    JWT_CLOCK_TOLERANCE: z.coerce.number({ error: 'must be a number of seconds' }).min(0).max(300).optional(),
    MAX_PAYLOAD_BYTES: positiveInt()
      .max(16 * 1024 * 1024)
      .optional(),
    MAX_PAYLOAD_DEPTH: positiveInt().min(4, 'must be at least 4').max(1000, 'must be at most 1000').optional(),
    MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt().optional(),
    MAX_FILTER_COST_PER_CONNECTION: positiveInt().optional(),
    MONGODB_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string')
      .optional(),
    MONGODB_DB: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
      .default('realtime'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'must be host:port[,host:port...] (seed nodes of a Redis Cluster)')
      .optional(),
    REDIS_ADAPTER: z.enum(['classic', 'sharded']).default('classic'),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, _ . or -')
      .default('rt'),
    HISTORY_MAX_EVENTS: positiveInt().max(1_000_000).optional(),
    HISTORY_MAX_AGE_MS: positiveInt().optional(),
    HISTORY_MAX_STREAM_BYTES: positiveInt().optional(),
    HISTORY_MAX_REALM_BYTES: positiveInt().optional(),
    HISTORY_MAX_NODE_BYTES: positiveInt().optional(),
    HISTORY_MAX_STREAMS_PER_REALM: positiveInt().optional(),
    SYNC_MAX_DOCUMENT_BYTES: positiveInt()
      .max(16 * 1024 * 1024, 'must be at most 16 MiB')
      .optional(),
    MAX_CHANNEL_MEMBERS: positiveInt().optional(),
    MAX_CHANNELS_PER_CONNECTION: positiveInt().optional(),
    MAX_PRESENCE_STATE_BYTES: positiveInt()
      .max(1024 * 1024)
      .optional(),
    OBJECTS_MAX_PER_REALM: positiveInt().optional(),
    OBJECTS_MAX_AREAS_PER_REALM: positiveInt().optional(),
    OBJECTS_MAX_REALMS: positiveInt().optional(),
    OBJECTS_MAX_DATA_BYTES: positiveInt()
      .max(1024 * 1024, 'must be at most 1 MiB')
      .optional(),
    OBJECTS_MAX_FEEDS_PER_CONNECTION: positiveInt().optional(),
    OBJECTS_MAX_FEED_MEMBERS: positiveInt().optional(),
    OBJECTS_MAX_PUBSUB_PER_CONNECTION: positiveInt().optional(),
    OBJECTS_HISTORY_MAX_ENTRIES: positiveInt().optional(),
    OBJECTS_HISTORY_RETENTION_MS: positiveInt().optional(),
    OBJECTS_SEARCH_SCAN_LIMIT: positiveInt().optional(),
    PRESENCE_HEARTBEAT_MS: positiveInt().min(10, 'must be at least 10').optional(),
    PRESENCE_NODE_TIMEOUT_MS: positiveInt().optional(),
    MAX_BATCH_ENTRIES: positiveInt().max(10_000, 'must be at most 10000').optional(),
    MAX_BATCH_BYTES: positiveInt().optional(),
    MAX_QUEUED_BYTES_PER_CONNECTION: positiveInt().optional(),
    LOGIN_TIMEOUT_MS: positiveInt().max(600_000, 'must be at most 600000').optional(),
    MAX_LOGIN_ATTEMPTS: positiveInt().max(1000, 'must be at most 1000').optional(),
    MAX_PENDING_LOGINS: positiveInt().optional(),
    RPC_ACCEPT_TIMEOUT_MS: positiveInt().max(600_000).optional(),
    RPC_RESPONSE_TIMEOUT_MS: positiveInt().max(600_000).optional(),
    MAX_RPC_CALLS_PER_CONNECTION: positiveInt().optional(),
    MAX_RPC_CALLS_PER_NODE: positiveInt().optional(),
    MAX_PROVIDED_RPCS_PER_CONNECTION: positiveInt().optional(),
    MAX_LISTENS_PER_CONNECTION: positiveInt().optional(),
    LISTEN_ACCEPT_TIMEOUT_MS: positiveInt().max(600_000).optional(),
    MAX_WATCHED_USERS_PER_CONNECTION: positiveInt().optional(),
    WEBHOOKS_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
    WEBHOOKS_REQUEST_TIMEOUT_MS: positiveInt().max(120_000, 'must be at most 120000 (2 minutes)').default(15_000),
    AUTH_HOOK_URL: z
      .string()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .optional(),
    AUTH_HOOK_TIMEOUT_MS: positiveInt().max(120_000, 'must be at most 120000 (2 minutes)').default(5000),
    SIGNING_KEYS_SECRET: secretSchema.optional(),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    METRICS_PUBLIC: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
    DEMO_ENABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
    BATCHING: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    BATCH_WINDOW_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number')
      .min(0, `must be between 0 and ${MAX_BATCH_WINDOW_MS}`)
      .max(MAX_BATCH_WINDOW_MS, `must be between 0 and ${MAX_BATCH_WINDOW_MS}`)
      .default(0),
    BATCH_BUSY_WINDOW_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number')
      .min(0, `must be between 0 and ${MAX_BATCH_WINDOW_MS}`)
      .max(MAX_BATCH_WINDOW_MS, `must be between 0 and ${MAX_BATCH_WINDOW_MS}`)
      .default(DEFAULT_BUSY_WINDOW_MS),
    WS_PATH: z
      .string()
      .regex(/^(off|\/[A-Za-z0-9_.~/-]*)$/, 'must be "off" or a path starting with "/"')
      .default('/ws'),
    WS_MAX_PENDING_REQUESTS: positiveInt().optional(),
    WS_MAX_FRAME_MESSAGES: positiveInt().optional(),
    WS_MAX_FRAME_BYTES: positiveInt().optional(),
    SHUTDOWN_TIMEOUT_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 600000')
      .max(600_000, 'must be between 0 and 600000')
      .default(10_000),
    DATABASE_EVENTS_POSTGRES_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_EVENTS_POSTGRES_SLOT: z.string().regex(POSTGRES_NAME_PATTERN, 'must be lowercase letters, digits and _ (at most 63)').optional(),
    DATABASE_EVENTS_POSTGRES_PUBLICATION: z.string().regex(POSTGRES_NAME_PATTERN, 'must be lowercase letters, digits and _ (at most 63)').optional(),
    DATABASE_EVENTS_POSTGRES_TABLES: z.string().optional(),
    DATABASE_EVENTS_MONGODB_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL')
      .optional(),
    DATABASE_EVENTS_MONGODB_DB: z.string().min(1).default('app'),
    DATABASE_EVENTS_MONGODB_MODE: z.enum(['auto', 'outbox', 'change-stream'], { error: 'must be auto, outbox or change-stream' }).default('auto'),
    DATABASE_EVENTS_OUTBOX_COLLECTION: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a collection name')
      .default('realtime_outbox'),
    DATABASE_EVENTS_MAX_MAPPINGS: positiveInt().optional(),
    DATABASE_EVENTS_MAX_MAPPINGS_PER_REALM: positiveInt().optional(),
    ...RATE_LIMIT_ENV_SHAPE,
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_URL !== undefined && env.REDIS_CLUSTER_NODES !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'set REDIS_URL (one server) or REDIS_CLUSTER_NODES (a Redis Cluster), not both' });
    }
    const production = env.NODE_ENV === 'production';
    const hasAuth = env.JWT_SECRET !== undefined || env.JWT_SECRETS !== undefined || env.JWT_JWKS_URL !== undefined;
    if (production && !hasAuth) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'one of JWT_SECRET, JWT_SECRETS or JWT_JWKS_URL is required when NODE_ENV=production',
      });
    }
    const heartbeat = env.PRESENCE_HEARTBEAT_MS ?? DEFAULT_LIMITS.presenceHeartbeatMs;
    const nodeTimeout = env.PRESENCE_NODE_TIMEOUT_MS ?? DEFAULT_LIMITS.presenceNodeTimeoutMs;
    if (nodeTimeout <= heartbeat) {
      ctx.addIssue({
        code: 'custom',
        path: ['PRESENCE_NODE_TIMEOUT_MS'],
        message: `must be greater than PRESENCE_HEARTBEAT_MS (${heartbeat})`,
      });
    }
    if (production && (env.CORS_ORIGINS ?? '').trim() === '*') {
      ctx.addIssue({ code: 'custom', path: ['CORS_ORIGINS'], message: '"*" is not allowed when NODE_ENV=production' });
    }
  });

/**
 * Thrown by {@link loadConfig} with one line per bad variable.
 *
 * @example
 * try { loadConfig(process.env); } catch (err) { if (err instanceof ConfigError) console.error(err.message); }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Reads and validates the server configuration from environment variables. Throws a
 * {@link ConfigError} naming each bad variable. Without any JWT configuration outside production it
 * returns `developmentMode: true` and no auth (the caller supplies an ephemeral secret).
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`));
  }
  const e = parsed.data;
  const auth: AuthOptions = {};
  if (e.JWT_SECRET !== undefined) auth.secret = e.JWT_SECRET;
  if (e.JWT_SECRETS !== undefined) auth.secrets = e.JWT_SECRETS;
  if (e.JWT_JWKS_URL !== undefined) auth.jwksUrl = e.JWT_JWKS_URL;
  if (e.JWT_ALGORITHMS !== undefined) auth.jwksAlgorithms = e.JWT_ALGORITHMS;
  if (e.JWT_ISSUER !== undefined) auth.issuer = e.JWT_ISSUER;
  if (e.JWT_AUDIENCE !== undefined) auth.audience = e.JWT_AUDIENCE;
  if (e.JWT_CLOCK_TOLERANCE !== undefined) auth.clockToleranceSeconds = e.JWT_CLOCK_TOLERANCE;

  const developmentMode = e.NODE_ENV !== 'production' && Object.keys(auth).filter((key) => key !== 'clockToleranceSeconds').length === 0;
  return {
    port: e.PORT,
    // Development mode has no real auth (anyone may mint tokens): only this machine may reach it.
    ...(e.HOST === undefined ? (developmentMode ? { host: '127.0.0.1' } : {}) : { host: e.HOST }),
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    corsOrigins: parseOrigins(e.CORS_ORIGINS, e.NODE_ENV === 'production'),
    auth,
    developmentMode,
    limits: {
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES ?? DEFAULT_LIMITS.maxPayloadBytes,
      maxPayloadDepth: e.MAX_PAYLOAD_DEPTH ?? DEFAULT_LIMITS.maxPayloadDepth,
      maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION ?? DEFAULT_LIMITS.maxSubscriptionsPerConnection,
      maxFilterCostPerConnection: e.MAX_FILTER_COST_PER_CONNECTION ?? DEFAULT_LIMITS.maxFilterCostPerConnection,
      maxChannelMembers: e.MAX_CHANNEL_MEMBERS ?? DEFAULT_LIMITS.maxChannelMembers,
      maxChannelsPerConnection: e.MAX_CHANNELS_PER_CONNECTION ?? DEFAULT_LIMITS.maxChannelsPerConnection,
      maxPresenceStateBytes: e.MAX_PRESENCE_STATE_BYTES ?? DEFAULT_LIMITS.maxPresenceStateBytes,
      presenceHeartbeatMs: e.PRESENCE_HEARTBEAT_MS ?? DEFAULT_LIMITS.presenceHeartbeatMs,
      presenceNodeTimeoutMs: e.PRESENCE_NODE_TIMEOUT_MS ?? DEFAULT_LIMITS.presenceNodeTimeoutMs,
      maxBatchEntries: e.MAX_BATCH_ENTRIES ?? DEFAULT_LIMITS.maxBatchEntries,
      maxBatchBytes: e.MAX_BATCH_BYTES ?? DEFAULT_LIMITS.maxBatchBytes,
      maxQueuedBytesPerConnection: e.MAX_QUEUED_BYTES_PER_CONNECTION ?? DEFAULT_LIMITS.maxQueuedBytesPerConnection,
      loginTimeoutMs: e.LOGIN_TIMEOUT_MS ?? DEFAULT_LIMITS.loginTimeoutMs,
      maxLoginAttempts: e.MAX_LOGIN_ATTEMPTS ?? DEFAULT_LIMITS.maxLoginAttempts,
      maxPendingLogins: e.MAX_PENDING_LOGINS ?? DEFAULT_LIMITS.maxPendingLogins,
      rpcAcceptTimeoutMs: e.RPC_ACCEPT_TIMEOUT_MS ?? DEFAULT_LIMITS.rpcAcceptTimeoutMs,
      rpcResponseTimeoutMs: e.RPC_RESPONSE_TIMEOUT_MS ?? DEFAULT_LIMITS.rpcResponseTimeoutMs,
      maxRpcCallsPerConnection: e.MAX_RPC_CALLS_PER_CONNECTION ?? DEFAULT_LIMITS.maxRpcCallsPerConnection,
      maxRpcCallsPerNode: e.MAX_RPC_CALLS_PER_NODE ?? DEFAULT_LIMITS.maxRpcCallsPerNode,
      maxProvidedRpcsPerConnection: e.MAX_PROVIDED_RPCS_PER_CONNECTION ?? DEFAULT_LIMITS.maxProvidedRpcsPerConnection,
      maxListensPerConnection: e.MAX_LISTENS_PER_CONNECTION ?? DEFAULT_LIMITS.maxListensPerConnection,
      listenAcceptTimeoutMs: e.LISTEN_ACCEPT_TIMEOUT_MS ?? DEFAULT_LIMITS.listenAcceptTimeoutMs,
      maxWatchedUsersPerConnection: e.MAX_WATCHED_USERS_PER_CONNECTION ?? DEFAULT_LIMITS.maxWatchedUsersPerConnection,
    },
    ...(e.REDIS_URL === undefined ? {} : { redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX, adapter: e.REDIS_ADAPTER } }),
    ...(e.REDIS_CLUSTER_NODES === undefined
      ? {}
      : { redis: { clusterNodes: e.REDIS_CLUSTER_NODES.split(',').map((node) => node.trim()), keyPrefix: e.REDIS_KEY_PREFIX, adapter: e.REDIS_ADAPTER } }),
    history: {
      maxEvents: e.HISTORY_MAX_EVENTS ?? DEFAULT_HISTORY_LIMITS.maxEvents,
      maxAgeMs: e.HISTORY_MAX_AGE_MS ?? DEFAULT_HISTORY_LIMITS.maxAgeMs,
      maxStreamBytes: e.HISTORY_MAX_STREAM_BYTES ?? DEFAULT_HISTORY_LIMITS.maxStreamBytes,
      maxRealmBytes: e.HISTORY_MAX_REALM_BYTES ?? DEFAULT_HISTORY_LIMITS.maxRealmBytes,
      maxNodeBytes: e.HISTORY_MAX_NODE_BYTES ?? DEFAULT_HISTORY_LIMITS.maxNodeBytes,
      maxStreamsPerRealm: e.HISTORY_MAX_STREAMS_PER_REALM ?? DEFAULT_HISTORY_LIMITS.maxStreamsPerRealm,
    },
    objects: resolveObjectLimits({
      maxObjectsPerRealm: e.OBJECTS_MAX_PER_REALM,
      maxAreasPerRealm: e.OBJECTS_MAX_AREAS_PER_REALM,
      maxRealms: e.OBJECTS_MAX_REALMS,
      maxDataBytes: e.OBJECTS_MAX_DATA_BYTES,
      maxFeedsPerConnection: e.OBJECTS_MAX_FEEDS_PER_CONNECTION,
      maxFeedMembers: e.OBJECTS_MAX_FEED_MEMBERS,
      maxPubsubPerConnection: e.OBJECTS_MAX_PUBSUB_PER_CONNECTION,
      historyMaxEntries: e.OBJECTS_HISTORY_MAX_ENTRIES,
      historyRetentionMs: e.OBJECTS_HISTORY_RETENTION_MS,
      searchScanLimit: e.OBJECTS_SEARCH_SCAN_LIMIT,
    }),
    documents: {
      ...(e.MONGODB_URL === undefined ? {} : { mongodbUrl: e.MONGODB_URL }),
      mongodbDb: e.MONGODB_DB,
      maxDocumentBytes: e.SYNC_MAX_DOCUMENT_BYTES ?? DEFAULT_MAX_DOCUMENT_BYTES,
    },
    webhooks: {
      allowPrivateNetworks: e.WEBHOOKS_ALLOW_PRIVATE_NETWORKS === 'true',
      requestTimeoutMs: e.WEBHOOKS_REQUEST_TIMEOUT_MS,
    },
    ...(e.AUTH_HOOK_URL === undefined ? {} : { authHook: { url: e.AUTH_HOOK_URL, timeoutMs: e.AUTH_HOOK_TIMEOUT_MS } }),
    ...(e.SIGNING_KEYS_SECRET === undefined ? {} : { signingKeysSecret: e.SIGNING_KEYS_SECRET }),
    metrics: { ...(e.METRICS_TOKEN === undefined ? {} : { scrapeToken: e.METRICS_TOKEN }), public: e.METRICS_PUBLIC === 'true' },
    demoEnabled: e.DEMO_ENABLED === 'true',
    ws: {
      path: e.WS_PATH === 'off' ? false : e.WS_PATH,
      ...(e.WS_MAX_PENDING_REQUESTS === undefined ? {} : { maxPendingRequests: e.WS_MAX_PENDING_REQUESTS }),
      ...(e.WS_MAX_FRAME_MESSAGES === undefined ? {} : { maxFrameMessages: e.WS_MAX_FRAME_MESSAGES }),
      ...(e.WS_MAX_FRAME_BYTES === undefined ? {} : { maxFrameBytes: e.WS_MAX_FRAME_BYTES }),
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    batching: e.BATCHING === 'off' ? false : { windowMs: e.BATCH_WINDOW_MS, busyWindowMs: e.BATCH_BUSY_WINDOW_MS },
    rateLimits: resolveRateLimitOptions(rateLimitOptionsFromEnv(e)),
    databaseEvents: databaseEventsFromEnv(e),
  };
}

function databaseEventsFromEnv(e: z.infer<typeof envSchema>): DatabaseEventsOptions {
  const tables = e.DATABASE_EVENTS_POSTGRES_TABLES?.split(',')
    .map((table) => table.trim())
    .filter(Boolean);
  const limits = {
    ...(e.DATABASE_EVENTS_MAX_MAPPINGS === undefined ? {} : { maxMappings: e.DATABASE_EVENTS_MAX_MAPPINGS }),
    ...(e.DATABASE_EVENTS_MAX_MAPPINGS_PER_REALM === undefined ? {} : { maxMappingsPerRealm: e.DATABASE_EVENTS_MAX_MAPPINGS_PER_REALM }),
  };
  return {
    ...(e.DATABASE_EVENTS_POSTGRES_URL === undefined
      ? {}
      : {
          postgres: {
            url: e.DATABASE_EVENTS_POSTGRES_URL,
            ...(e.DATABASE_EVENTS_POSTGRES_SLOT === undefined ? {} : { slot: e.DATABASE_EVENTS_POSTGRES_SLOT }),
            ...(e.DATABASE_EVENTS_POSTGRES_PUBLICATION === undefined ? {} : { publication: e.DATABASE_EVENTS_POSTGRES_PUBLICATION }),
            ...(tables === undefined ? {} : { tables }),
          },
        }),
    ...(e.DATABASE_EVENTS_MONGODB_URL === undefined
      ? {}
      : {
          mongodb: {
            url: e.DATABASE_EVENTS_MONGODB_URL,
            dbName: e.DATABASE_EVENTS_MONGODB_DB,
            mode: e.DATABASE_EVENTS_MONGODB_MODE,
            collection: e.DATABASE_EVENTS_OUTBOX_COLLECTION,
          },
        }),
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
  };
}

function parseOrigins(value: string | undefined, production: boolean): string[] | '*' {
  if (value === undefined) return production ? [] : '*';
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  return trimmed
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** Empty variables (`PORT=`) count as unset. */
function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}
