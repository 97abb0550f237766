import createDebug from 'debug';
import { ErrorCode, InternalError, InvalidArgumentError, UnavailableError, type RealtimeError } from '../../shared/index.js';
import { assertToken } from '../client-options.js';
import type { ResolvedRestClientOptions } from './rest-client-options.js';
import { errorFromRestAnswer, retryAfterHeaderMs } from './rest-error.js';
import { restRetryDelay, type RequestSafety, type RestFailure } from './rest-retry-policy.js';

const debug = createDebug('realtime:rest');

/** One REST call as the namespaces describe it. */
export interface RestCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path after the base URL, its segments already encoded (`/api/sync/notes/documents/n1`). */
  path: string;
  /** Query parameters; `undefined` ones are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** The JSON body. */
  body?: unknown;
  /** The realm, sent as `X-Realm` (every route reads it when the request names none). */
  realm?: string | undefined;
  /** Whether the call carries the bearer token. @default true */
  authenticated?: boolean;
  /** See {@link RequestSafety}. @default 'safe' for GET, 'unsafe' otherwise */
  safety?: RequestSafety;
  /** Non-2xx statuses whose body is the answer rather than an error (`GET /ready`'s `503`). */
  answerStatuses?: readonly number[];
}

/** What one attempt ended with. */
type Attempt = { ok: true; value: unknown } | { ok: false; failure: RestFailure };

/**
 * Sends REST calls: the bearer token (from `getToken()`, asked for every attempt), `X-Realm`, a
 * JSON body, a timeout per attempt (an `AbortController`), and the retries `restRetryDelay`
 * allows. Answers the parsed JSON body (`undefined` for `204`) or throws the typed error.
 *
 * Why this exists: the namespaces only say which route and which body; how a call is sent,
 * bounded in time, turned into a typed error and retried is decided once, here.
 *
 * @example
 * const event = await transport.send<RealtimeEvent>({ method: 'POST', path: '/api/events', body });
 */
export class RestTransport {
  private getToken: () => string | Promise<string>;

  constructor(private readonly options: ResolvedRestClientOptions) {
    this.getToken = options.getToken;
  }

  /** Replaces the token source (`setToken`). */
  setTokenSource(getToken: () => string | Promise<string>): void {
    this.getToken = getToken;
  }

  /** The bearer token the next attempt sends. */
  async currentToken(): Promise<string> {
    const token = await this.getToken();
    assertToken(token);
    return token;
  }

  /** Sends `call`, retrying as the policy allows; resolves with the answer's JSON. */
  async send<T>(call: RestCall): Promise<T> {
    const safety = call.safety ?? (call.method === 'GET' ? 'safe' : 'unsafe');
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(call);
      if (outcome.ok) return outcome.value as T;
      const wait = restRetryDelay(outcome.failure, attempt, this.options.retry, safety);
      if (wait === undefined) throw outcome.failure.error;
      debug('%s %s failed with %s (attempt %d); retrying in %d ms', call.method, call.path, outcome.failure.error.code, attempt, wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async attempt(call: RestCall): Promise<Attempt> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.authenticated !== false) {
      headers.authorization = `Bearer ${await this.currentToken()}`;
    }
    const realm = call.realm ?? this.options.realm;
    if (realm !== undefined) headers['x-realm'] = realm;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const body = call.body === undefined ? undefined : jsonOf(call);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const response = await this.options.fetch(this.urlOf(call), {
        method: call.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
      // The body is read within the same timeout: an answer whose body never ends times out too.
      const answer = await readBody(response);
      if (response.ok || call.answerStatuses?.includes(response.status) === true) return { ok: true, value: answer };
      const retryAfter = retryAfterHeaderMs(response.headers.get('retry-after'));
      const error = errorFromRestAnswer(response.status, answer);
      return { ok: false, failure: retryAfter === undefined ? { error } : { error, retryAfterHeaderMs: retryAfter } };
    } catch (err) {
      return { ok: false, failure: { error: timedOut ? this.timeoutError(call) : networkError(call, err) } };
    } finally {
      clearTimeout(timer);
    }
  }

  private urlOf(call: RestCall): string {
    const query = Object.entries(call.query ?? {})
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
      .join('&');
    return `${this.options.url}${call.path}${query === '' ? '' : `?${query}`}`;
  }

  private timeoutError(call: RestCall): RealtimeError {
    return new UnavailableError(`No answer to ${call.method} ${call.path} within ${this.options.timeoutMs} ms`, { code: ErrorCode.TIMEOUT });
  }
}

/** The answer's JSON, `undefined` when empty; a 2xx that is not JSON is the server's fault. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (!response.ok) return undefined;
    throw new InternalError(`The server answered HTTP ${response.status} with a body that is not JSON`, { cause: err });
  }
}

/** The JSON of a call's body; one that cannot be JSON (a cycle, a BigInt) is the caller's mistake. */
function jsonOf(call: RestCall): string {
  try {
    return JSON.stringify(call.body);
  } catch (err) {
    throw new InvalidArgumentError(`The body of ${call.method} ${call.path} cannot be sent as JSON (a cycle or a BigInt?)`, { cause: err });
  }
}

function networkError(call: RestCall, err: unknown): RealtimeError {
  if (err instanceof InternalError) return err;
  return new UnavailableError(`Could not reach the server for ${call.method} ${call.path}; it may or may not have taken effect`, { cause: err });
}
