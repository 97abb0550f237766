import { InvalidArgumentError, isValidRealm } from '../../shared/index.js';
import { assertToken } from '../client-options.js';
import { consoleWarning, warnUnknownOptions, type ClientWarning } from '../unknown-options.js';

/**
 * The `fetch` the REST client calls: the runtime's global one unless another is passed.
 *
 * @example
 * const keptAlive: FetchFunction = (url, init) => fetch(url, { ...init, keepalive: true });
 */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/**
 * How the REST client retries a request the server refused for now (see `restRetryDelay` for
 * which ones).
 *
 * @example
 * new RealtimeRestClient({ url, token, retry: { attempts: 5, maxDelayMs: 2000 } });
 */
export interface RestRetryOptions {
  /**
   * Most attempts of one request, the first included; `1` never retries.
   * @default 3
   */
  attempts?: number;
  /**
   * The longest wait before one retry, ms. A refusal whose `retryAfterMs` is longer is not
   * retried: it is thrown at once (waiting less than the server asked would be refused again).
   * @default 5000
   */
  maxDelayMs?: number;
}

/**
 * Options of `new RealtimeRestClient(options)`.
 *
 * @example
 * const rest = new RealtimeRestClient({ url: 'http://localhost:3000', token: process.env.RT_TOKEN!, realm: 'demo' });
 */
export interface RealtimeRestClientOptions {
  /** Server base URL, e.g. `http://localhost:3000` (a path prefix such as `https://host/rt` is kept). */
  url: string;
  /** The bearer token of every request; replace it with `setToken()`. Give this or `getToken`. */
  token?: string;
  /**
   * Called before every request attempt for the bearer token (a backend that rotates its tokens
   * returns the current one). Give this or `token`.
   */
  getToken?: () => string | Promise<string>;
  /**
   * The realm every request works in, sent as `X-Realm`; `rest.realm(id)` reaches others.
   * @default the token's default realm (the server decides)
   */
  realm?: string;
  /**
   * The `fetch` to call (a runtime without a global one, a test that records requests).
   * @default globalThis.fetch
   */
  fetch?: FetchFunction;
  /** Retries of refused requests. */
  retry?: RestRetryOptions;
  /**
   * How long one attempt waits for the server's answer, ms; then it is aborted and fails with
   * `UnavailableError` (`code: 'TIMEOUT'`).
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * Receives warnings, such as an option name the client does not know (which it ignores).
   * @default a `console.warn` of the warning's message
   */
  onWarning?: (warning: ClientWarning) => void;
}

/** Options with every default applied. */
export interface ResolvedRestClientOptions {
  /** The base URL without a trailing `/`. */
  url: string;
  getToken: () => string | Promise<string>;
  realm: string | undefined;
  fetch: FetchFunction;
  retry: Required<RestRetryOptions>;
  timeoutMs: number;
}

/**
 * The defaults of every optional field.
 *
 * @example
 * DEFAULT_REST_CLIENT_OPTIONS.retry.attempts; // 3
 */
export const DEFAULT_REST_CLIENT_OPTIONS = {
  retry: { attempts: 3, maxDelayMs: 5000 },
  timeoutMs: 10_000,
} as const satisfies Partial<RealtimeRestClientOptions>;

/** Every option name, to warn about the others (the type makes adding an option here mandatory). */
const REST_OPTION_NAMES: Readonly<Record<keyof RealtimeRestClientOptions, true>> = {
  url: true,
  token: true,
  getToken: true,
  realm: true,
  fetch: true,
  retry: true,
  timeoutMs: true,
  onWarning: true,
};

/**
 * Applies defaults and validates; throws `InvalidArgumentError` naming the bad option, and warns
 * (through `onWarning`) about option names it does not know, which it ignores.
 *
 * @example
 * const resolved = resolveRestClientOptions({ url: 'http://localhost:3000', token });
 */
export function resolveRestClientOptions(options: RealtimeRestClientOptions): ResolvedRestClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('RealtimeRestClient needs options: { url, token | getToken, ... }');
  }
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new InvalidArgumentError('onWarning must be a function');
  }
  warnUnknownOptions(options, Object.keys(REST_OPTION_NAMES), options.onWarning ?? consoleWarning, 'RealtimeRestClient');
  if (typeof options.url !== 'string' || !isHttpUrl(options.url)) {
    throw new InvalidArgumentError(`url must be an absolute http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  const getToken = tokenSource(options);
  if (options.realm !== undefined && !isValidRealm(options.realm)) {
    throw new InvalidArgumentError('realm must be 1-64 letters, digits, _ or -');
  }
  const fetchFunction = options.fetch ?? globalFetch();
  if (typeof fetchFunction !== 'function') throw new InvalidArgumentError('fetch must be a function');
  const attempts = options.retry?.attempts ?? DEFAULT_REST_CLIENT_OPTIONS.retry.attempts;
  if (!(Number.isInteger(attempts) && attempts >= 1)) throw new InvalidArgumentError('retry.attempts must be a whole number of at least 1');
  const maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_REST_CLIENT_OPTIONS.retry.maxDelayMs;
  assertNonNegative('retry.maxDelayMs', maxDelayMs);
  const timeoutMs = options.timeoutMs ?? DEFAULT_REST_CLIENT_OPTIONS.timeoutMs;
  assertNonNegative('timeoutMs', timeoutMs);
  if (timeoutMs === 0) throw new InvalidArgumentError('timeoutMs must be positive');
  return { url: options.url.replace(/\/+$/, ''), getToken, realm: options.realm, fetch: fetchFunction, retry: { attempts, maxDelayMs }, timeoutMs };
}

function tokenSource(options: RealtimeRestClientOptions): () => string | Promise<string> {
  const { token, getToken } = options;
  if (token !== undefined && getToken !== undefined) throw new InvalidArgumentError('Give token or getToken, not both');
  if (getToken !== undefined) {
    if (typeof getToken !== 'function') throw new InvalidArgumentError('getToken must be a function');
    return getToken;
  }
  if (token === undefined) throw new InvalidArgumentError('RealtimeRestClient needs a token or a getToken function');
  assertToken(token);
  return () => token;
}

/** The runtime's `fetch`, bound (browsers refuse `fetch` called on another `this`). */
function globalFetch(): FetchFunction | undefined {
  const found = (globalThis as { fetch?: FetchFunction }).fetch;
  return found === undefined ? undefined : found.bind(globalThis);
}

function assertNonNegative(name: string, value: unknown): void {
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) throw new InvalidArgumentError(`${name} must be a non-negative number`);
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
