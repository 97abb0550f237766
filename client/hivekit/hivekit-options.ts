/**
 * Options of `new HivekitClient(options)`, as `@hivekit/client-js` names them. Unknown keys are
 * dropped, as Hivekit drops them.
 *
 * @example
 * const client = new HivekitClient({ outgoingMessageBufferTime: 20, logErrors: false });
 */
export interface HivekitClientOptions {
  /**
   * How long requests wait to be sent together in one frame, ms; `0` sends everything one
   * synchronous run made in one frame (the platform's batching: `outgoingMessageBufferTime`).
   * @default 0
   */
  outgoingMessageBufferTime?: number;
  /**
   * Log every request and answer to the console (`console.log`).
   * @default false
   */
  logMessages?: boolean;
  /**
   * Log errors to the console (`console.error`), besides the `'error'` event.
   * @default true
   */
  logErrors?: boolean;
  /**
   * Time between heartbeats, ms (they keep network hops open, detect a dead server and measure
   * `ping`); `0` sends none.
   * @default 5000
   */
  heartbeatInterval?: number;
  /**
   * Time between reconnection attempts, ms (the platform's `reconnectionDelay`, without growth or
   * jitter).
   * @default 1000
   */
  reconnectInterval?: number;
  /**
   * Attempts before giving up (`Infinity`: never).
   * @default Infinity
   */
  maxReconnectAttempts?: number;
}

/**
 * Options with every default applied.
 *
 * @example
 * const options: ResolvedHivekitOptions = client.options;
 */
export type ResolvedHivekitOptions = Required<HivekitClientOptions>;

/**
 * The defaults (Hivekit's documented ones).
 *
 * @example
 * DEFAULT_HIVEKIT_OPTIONS.heartbeatInterval; // 5000
 */
export const DEFAULT_HIVEKIT_OPTIONS: ResolvedHivekitOptions = Object.freeze({
  outgoingMessageBufferTime: 0,
  logMessages: false,
  logErrors: true,
  heartbeatInterval: 5000,
  reconnectInterval: 1000,
  maxReconnectAttempts: Infinity,
});

/**
 * Merges `options` over the defaults, keeping only known keys with a value of the right type
 * (Hivekit's `_extendOptions` drops the rest, and so does this).
 *
 * @example
 * resolveHivekitOptions({ logErrors: false, colour: 'red' }); // colour dropped
 */
export function resolveHivekitOptions(options: unknown): ResolvedHivekitOptions {
  const given = (typeof options === 'object' && options !== null ? options : {}) as Record<string, unknown>;
  const resolved: Record<string, unknown> = { ...DEFAULT_HIVEKIT_OPTIONS };
  for (const [key, fallback] of Object.entries(DEFAULT_HIVEKIT_OPTIONS)) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof fallback === 'boolean' && typeof value === 'boolean') resolved[key] = value;
    if (typeof fallback === 'number' && typeof value === 'number' && value >= 0 && !Number.isNaN(value)) resolved[key] = value;
  }
  return Object.freeze(resolved) as unknown as ResolvedHivekitOptions;
}
