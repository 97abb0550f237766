import { HEARTBEAT_INTERVAL_BOUNDS, InvalidArgumentError, isValidRealm } from '../shared/index.js';
import type { MergeStrategy } from './merge-strategy.js';
import { DEFAULT_MAX_OBJECT_SUBSCRIPTIONS } from './objects/subscription-budget.js';
import type { OfflineWritesOptions } from './offline-write-queue.js';
import { consoleWarning, warnUnknownOptions, type ClientWarning } from './unknown-options.js';

/**
 * Options of `new RealtimeClient(options)`. Names and defaults follow the reference SDK.
 *
 * @example
 * const options: RealtimeClientOptions = { url: 'http://localhost:3000', token };
 */
export interface RealtimeClientOptions {
  /** Server base URL, e.g. `http://localhost:3000`. */
  url: string;
  /**
   * JWT used for the handshake; replace it with `setToken()`. Without one the connection opens
   * quarantined (state `'awaiting-login'`) until `login({ token })`; requests made meanwhile wait.
   */
  token?: string;
  /**
   * The realm this client works in; `client.realm(id)` reaches others.
   * @default the token's only realm, else `'default'`
   */
  realm?: string;
  /**
   * Connect immediately on construction; otherwise call `connect()`.
   * @default true
   */
  autoConnect?: boolean;
  /**
   * Reconnect automatically after the connection is lost.
   * @default true
   */
  reconnection?: boolean;
  /**
   * Attempts before giving up (`Infinity` for no limit).
   * @default 10
   */
  reconnectionAttempts?: number;
  /**
   * Base delay between attempts, ms (grows exponentially, with jitter).
   * @default 1000
   */
  reconnectionDelay?: number;
  /**
   * Longest delay between attempts, ms.
   * @default 30000
   */
  reconnectionDelayMax?: number;
  /**
   * Jitter: each delay is drawn from (1 ± factor) × the exponential delay.
   * @default 0.5
   */
  randomizationFactor?: number;
  /**
   * How long a request waits for the server's answer (and, while reconnecting, for the connection), ms.
   * @default 10000
   */
  requestTimeout?: number;
  /**
   * How long `sync.update(fn)` keeps retrying after `CONFLICT`s (with jittered backoff), ms, unless
   * the call gives its own `timeout`.
   * @default 30000
   */
  updateTimeout?: number;
  /**
   * How long one connection attempt may take, ms.
   * @default 20000
   */
  connectTimeout?: number;
  /**
   * Socket.IO transports, in order of preference.
   * @default ['websocket']
   */
  transports?: ('websocket' | 'polling' | 'webtransport')[];
  /**
   * Receive batched frames over websocket: the server packs what it sends this client within one
   * turn of its event loop (or its `batching.windowMs`) into one frame, and the client unpacks it
   * in order (README "Batched frames"). `false` asks for one packet per frame, as a plain
   * socket.io-client gets. A server without batching simply sends one packet per frame.
   * @default true
   */
  batchedFrames?: boolean;
  /**
   * Socket.IO endpoint path on the server.
   * @default '/socket.io'
   */
  path?: string;
  /**
   * Most object, area and realm feeds plus pub/sub subscriptions this client holds at once (each is
   * a server subscription re-sent after every reconnect); one more throws `LimitExceededError`.
   * @default 1000
   */
  maxObjectSubscriptions?: number;
  /**
   * Log every state transition and connection error: `true` logs through the `debug` package
   * (namespace `realtime:client`), a function receives each entry.
   * @default false
   */
  debug?: boolean | ((message: string, context?: Record<string, unknown>) => void);
  /**
   * How long requests are collected before they go out together in one Socket.IO frame (a
   * `batch`), ms. `0` sends what was requested within one synchronous run of JavaScript together
   * (flushed on a microtask); a larger value waits that long after the first request; `false`
   * sends every request in its own frame at once. Each request keeps its own answer, error,
   * timeout and order.
   * @default 0
   */
  outgoingMessageBufferTime?: number | false;
  /**
   * Ms between heartbeats (`sys:ping`) while connected; `0` turns them off. Each answered one
   * updates `client.ping` and emits `'ping'`; two unanswered in a row close the connection and
   * reconnect. Declared to the server in the handshake, which closes the connection when it hears
   * nothing for 2.5 intervals. Between 100 and 3600000 when not 0.
   * @default 5000
   */
  heartbeatInterval?: number;
  /**
   * Receives warnings: problems that do not stop the client, such as an option name it does not
   * know (`reconectionDelay`), which it names and ignores.
   * @default a `console.warn` of the warning's message
   */
  onWarning?: (warning: ClientWarning) => void;
  /**
   * How a sync write with an expected revision (`sync.replace`, `sync.save`) resolves a
   * `CONFLICT`, for services without their own (`sync.setMergeStrategy`): e.g.
   * `MergeStrategies.remoteWins`. Without one the `ConflictError` is thrown.
   * @default undefined
   */
  mergeStrategy?: MergeStrategy;
  /**
   * Keep sync writes and publishes made while not connected (connecting, reconnecting or
   * disconnected) in memory, bounded, and send them once connected; `true` for the default
   * bounds. Without it such a request waits `requestTimeout` while (re)connecting and fails at
   * once while disconnected.
   * @default undefined (off)
   */
  offlineWrites?: OfflineWritesOptions | true;
}

/** Options with every default applied. */
export type ResolvedClientOptions = Required<Omit<RealtimeClientOptions, OptionalOption>> & Pick<RealtimeClientOptions, OptionalOption>;

/** Options without a default value. */
type OptionalOption = 'realm' | 'debug' | 'onWarning' | 'token' | 'mergeStrategy' | 'offlineWrites';

/** Every option name, to warn about the others (the type makes adding an option here mandatory). */
const CLIENT_OPTION_NAMES: Readonly<Record<keyof RealtimeClientOptions, true>> = {
  url: true,
  token: true,
  realm: true,
  autoConnect: true,
  reconnection: true,
  reconnectionAttempts: true,
  reconnectionDelay: true,
  reconnectionDelayMax: true,
  randomizationFactor: true,
  requestTimeout: true,
  updateTimeout: true,
  connectTimeout: true,
  transports: true,
  batchedFrames: true,
  path: true,
  maxObjectSubscriptions: true,
  debug: true,
  onWarning: true,
  outgoingMessageBufferTime: true,
  heartbeatInterval: true,
  mergeStrategy: true,
  offlineWrites: true,
};

/** The defaults of every optional field. */
export const DEFAULT_CLIENT_OPTIONS = {
  autoConnect: true,
  reconnection: true,
  reconnectionAttempts: 10,
  reconnectionDelay: 1000,
  reconnectionDelayMax: 30_000,
  randomizationFactor: 0.5,
  requestTimeout: 10_000,
  updateTimeout: 30_000,
  connectTimeout: 20_000,
  transports: ['websocket'],
  batchedFrames: true,
  path: '/socket.io',
  maxObjectSubscriptions: DEFAULT_MAX_OBJECT_SUBSCRIPTIONS,
  outgoingMessageBufferTime: 0,
  heartbeatInterval: 5000,
} as const satisfies Partial<RealtimeClientOptions>;

/**
 * Applies defaults and validates; throws `InvalidArgumentError` naming the bad option, and warns
 * (through `onWarning`) about option names it does not know, which it ignores.
 *
 * @example
 * const resolved = resolveClientOptions({ url, token });
 */
export function resolveClientOptions(options: RealtimeClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('RealtimeClient needs options: { url, token?, ... }');
  }
  if (typeof options.url !== 'string' || !isUrl(options.url)) {
    throw new InvalidArgumentError(`url must be an absolute http(s) or ws(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (options.token !== undefined) assertToken(options.token);
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new InvalidArgumentError('onWarning must be a function');
  }
  warnUnknownOptions(options, Object.keys(CLIENT_OPTION_NAMES), options.onWarning ?? consoleWarning);
  if (options.realm !== undefined && !isValidRealm(options.realm)) {
    throw new InvalidArgumentError('realm must be 1-64 letters, digits, _ or -');
  }
  const resolved: ResolvedClientOptions = {
    ...DEFAULT_CLIENT_OPTIONS,
    transports: [...DEFAULT_CLIENT_OPTIONS.transports],
    ...definedOnly(options),
    url: options.url,
  };
  for (const name of ['reconnectionDelay', 'reconnectionDelayMax', 'requestTimeout', 'updateTimeout', 'connectTimeout'] as const) {
    assertNonNegative(name, resolved[name], false);
  }
  assertNonNegative('reconnectionAttempts', resolved.reconnectionAttempts, true);
  assertNonNegative('maxObjectSubscriptions', resolved.maxObjectSubscriptions, false);
  const buffer = resolved.outgoingMessageBufferTime;
  if (buffer !== false) assertNonNegative('outgoingMessageBufferTime', buffer, false);
  const heartbeat = resolved.heartbeatInterval;
  const { min, max } = HEARTBEAT_INTERVAL_BOUNDS;
  if (!(heartbeat === 0 || (Number.isInteger(heartbeat) && heartbeat >= min && heartbeat <= max))) {
    throw new InvalidArgumentError(`heartbeatInterval must be 0 (off) or a whole number of ms from ${min} to ${max}`);
  }
  if (!(resolved.randomizationFactor >= 0 && resolved.randomizationFactor <= 1)) {
    throw new InvalidArgumentError('randomizationFactor must be between 0 and 1');
  }
  if (resolved.mergeStrategy !== undefined && typeof resolved.mergeStrategy !== 'function') {
    throw new InvalidArgumentError('mergeStrategy must be a function');
  }
  if (typeof resolved.batchedFrames !== 'boolean') {
    throw new InvalidArgumentError('batchedFrames must be true or false');
  }
  if (!Array.isArray(resolved.transports) || resolved.transports.length === 0) {
    throw new InvalidArgumentError('transports must list at least one transport');
  }
  return resolved;
}

/**
 * Throws `InvalidArgumentError` unless `token` is a non-empty string.
 *
 * @example
 * assertToken(token);
 */
export function assertToken(token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.trim() === '') throw new InvalidArgumentError('token must be a non-empty JWT string');
}

function assertNonNegative(name: string, value: unknown, allowInfinity: boolean): void {
  const ok = typeof value === 'number' && value >= 0 && (Number.isFinite(value) || (allowInfinity && value === Infinity));
  if (!ok) throw new InvalidArgumentError(`${name} must be a non-negative number${allowInfinity ? ' or Infinity' : ''}`);
}

function isUrl(value: string): boolean {
  try {
    return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
