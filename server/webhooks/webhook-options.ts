import { InvalidArgumentError } from '../../shared/index.js';
import { DEFAULT_RETRY_DELAYS_MS } from './retry-schedule.js';
import type { WebhookStore } from './webhook-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Webhook settings of a server (`RealtimeServerOptions.webhooks`). Every delay is injectable so
 * that tests run the whole retry schedule in milliseconds.
 *
 * @example
 * createRealtimeServer({ auth, webhooks: { store: new MongoWebhookStore({ url, dbName }) } });
 */
export interface WebhookOptions {
  /**
   * Where endpoints and the delivery queue live; the server closes it on `close()`.
   * @default new MemoryWebhookStore() (this process only; nothing survives a restart)
   */
  store?: WebhookStore;
  /**
   * Allow endpoints on loopback, private and link-local addresses (`WEBHOOKS_ALLOW_PRIVATE_NETWORKS`).
   * @default false
   */
  allowPrivateNetworks?: boolean;
  /**
   * Delays before attempts 2, 3, ..., ms; there are `retryDelaysMs.length + 1` attempts in all.
   * @default DEFAULT_RETRY_DELAYS_MS (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts, ~27.5 h)
   */
  retryDelaysMs?: readonly number[];
  /**
   * Jitter: each delay is drawn from `(1 - retryJitter)` to `(1 + retryJitter)` of its value.
   * @default 0.2
   */
  retryJitter?: number;
  /**
   * How long one attempt may take until the answer's status arrives, ms (`WEBHOOKS_REQUEST_TIMEOUT_MS`).
   * @default 15000
   */
  requestTimeoutMs?: number;
  /**
   * An endpoint is disabled once it has failed at least this many attempts in a row ...
   * @default 20
   */
  disableAfterFailures?: number;
  /**
   * ... over at least this long without a single success, ms.
   * @default 432000000 (5 days)
   */
  disableAfterMs?: number;
  /**
   * How long a rotated-out secret keeps signing when `rotate-secret` names no grace period, ms.
   * @default 86400000 (24 h)
   */
  rotationGraceMs?: number;
  /**
   * Most requests this node has in flight at once (one per endpoint at most).
   * @default 32
   */
  maxConcurrentDeliveries?: number;
  /**
   * How often the queue is checked for due deliveries this node did not schedule itself
   * (queued by other nodes, or before a restart), ms.
   * @default 1000
   */
  pollIntervalMs?: number;
  /**
   * How long a node trusts its copy of a realm's endpoints, ms: an endpoint changed on another
   * node takes effect here within this time (at once on the node that changed it).
   * @default 2000
   */
  endpointCacheMs?: number;
  /**
   * Most endpoints in one realm (`LIMIT_EXCEEDED` beyond).
   * @default 100
   */
  maxEndpointsPerRealm?: number;
  /**
   * Events waiting to be written to the queue; beyond it new events are dropped and logged (the
   * realtime path never waits for webhooks).
   * @default 10000
   */
  maxWaitingEvents?: number;
  /** How long succeeded deliveries stay in the log, ms. @default 604800000 (7 days) */
  succeededRetentionMs?: number;
  /** How long failed deliveries stay in the dead-letter list, ms. @default 2592000000 (30 days) */
  deadLetterRetentionMs?: number;
  /** How often old deliveries are removed, ms; `0` never. @default 3600000 (1 h) */
  sweepIntervalMs?: number;
  /** The clock, Unix ms (a test seam). @default Date.now */
  now?: () => number;
  /** Randomness for jitter, in [0, 1) (a test seam). @default Math.random */
  random?: () => number;
}

/** {@link WebhookOptions} with every default applied (the store aside). */
export type ResolvedWebhookOptions = Required<Omit<WebhookOptions, 'store'>>;

/** The defaults of {@link WebhookOptions}. */
export const DEFAULT_WEBHOOK_OPTIONS: ResolvedWebhookOptions = {
  allowPrivateNetworks: false,
  retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  retryJitter: 0.2,
  requestTimeoutMs: 15_000,
  disableAfterFailures: 20,
  disableAfterMs: 5 * DAY,
  rotationGraceMs: DAY,
  maxConcurrentDeliveries: 32,
  pollIntervalMs: 1000,
  endpointCacheMs: 2000,
  maxEndpointsPerRealm: 100,
  maxWaitingEvents: 10_000,
  succeededRetentionMs: 7 * DAY,
  deadLetterRetentionMs: 30 * DAY,
  sweepIntervalMs: HOUR,
  now: () => Date.now(),
  random: () => Math.random(),
};

/** Longest grace period a rotation may ask for, ms (7 days). */
export const MAX_ROTATION_GRACE_MS = 7 * DAY;

/**
 * Applies defaults and checks every value.
 *
 * @throws InvalidArgumentError naming the bad option.
 * @example
 * const resolved = resolveWebhookOptions({ retryDelaysMs: [10, 10] });
 */
export function resolveWebhookOptions(options: WebhookOptions = {}): ResolvedWebhookOptions {
  const { store: _store, ...given } = options;
  const resolved: ResolvedWebhookOptions = { ...DEFAULT_WEBHOOK_OPTIONS };
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  const { retryDelaysMs, retryJitter } = resolved;
  if (!Array.isArray(retryDelaysMs) || retryDelaysMs.length > 20 || retryDelaysMs.some((delay) => !isNonNegative(delay))) {
    throw new InvalidArgumentError('webhooks.retryDelaysMs must be at most 20 non-negative numbers of milliseconds');
  }
  if (!(retryJitter >= 0 && retryJitter < 1)) throw new InvalidArgumentError('webhooks.retryJitter must be in [0, 1)');
  for (const name of [
    'requestTimeoutMs',
    'disableAfterFailures',
    'maxConcurrentDeliveries',
    'pollIntervalMs',
    'maxEndpointsPerRealm',
    'maxWaitingEvents',
  ] as const) {
    if (!(Number.isFinite(resolved[name]) && resolved[name] > 0)) throw new InvalidArgumentError(`webhooks.${name} must be positive`);
  }
  for (const name of ['disableAfterMs', 'rotationGraceMs', 'endpointCacheMs', 'succeededRetentionMs', 'deadLetterRetentionMs', 'sweepIntervalMs'] as const) {
    if (!isNonNegative(resolved[name])) throw new InvalidArgumentError(`webhooks.${name} must be zero or positive`);
  }
  return resolved;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
