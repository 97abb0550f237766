import { InvalidArgumentError, isValidRealm } from '../../shared/index.js';
import { assertToken } from '../client-options.js';
import { resolveRestClientOptions, type RealtimeRestClientOptions } from './rest-client-options.js';
import { RestRealm } from './rest-realm.js';
import type { Readiness } from './rest-results.js';
import { RestTokensClient } from './rest-tokens.js';
import { RestTransport } from './rest-transport.js';

/**
 * A typed REST client for backends (and any HTTP-only caller): every route of `/api` and
 * `/auth`, with the arguments, results and typed errors of the socket client (`ConflictError`
 * with `details.current`, `InvalidArgumentError` with `details.issues`, `LimitExceededError`
 * with `retryAfterMs`, ...). Requests that have a socket event are checked with its schema before
 * they are sent. Each attempt is bounded by `timeoutMs`; `RATE_LIMITED` refusals are retried
 * after the server's wait for every request, `UNAVAILABLE` and timeouts for reads only (see
 * `isRetryableRestFailure`). Works wherever `fetch` does (Node 20, browsers); holds no
 * connection, timer or listener between calls, so there is nothing to close.
 *
 * @example
 * const rest = new RealtimeRestClient({ url: 'http://localhost:3000', token: serviceToken, realm: 'demo' });
 * await rest.publish('order.updated', { orderId: 'o1', status: 'shipped' });
 * const note = await rest.sync.create('notes', { title: 'Plan' });
 * await rest.channels.broadcast('announcements', 'message', { text: 'Deploy at 18:00' });
 */
export class RealtimeRestClient extends RestRealm {
  /** `POST /auth/verify` and, in development mode, `POST /auth/dev-token`. */
  readonly tokens: RestTokensClient;
  private readonly transport: RestTransport;

  constructor(options: RealtimeRestClientOptions) {
    const resolved = resolveRestClientOptions(options);
    const transport = new RestTransport(resolved);
    super(transport, resolved.realm);
    this.transport = transport;
    this.tokens = new RestTokensClient(transport);
  }

  /** The same API in another realm the token grants, over the same transport and token. */
  realm(id: string): RestRealm {
    if (!isValidRealm(id)) throw new InvalidArgumentError('realm must be 1-64 letters, digits, _ or -');
    return new RestRealm(this.transport, id);
  }

  /** `GET /health` (no token): `{ status: 'ok' }` while the process answers. */
  async health(): Promise<{ status: 'ok' }> {
    return this.transport.send({ method: 'GET', path: '/health', authenticated: false });
  }

  /**
   * `GET /ready` (no token): whether this node is ready, degraded or draining. A `503` answer is
   * the report, not an error, and is not retried: it is what a balancer's health check reads.
   */
  async readiness(): Promise<Readiness> {
    return this.transport.send({ method: 'GET', path: '/ready', authenticated: false, answerStatuses: [503] });
  }

  /** Uses `token` for every later request (also replaces a `getToken` function). */
  setToken(token: string): void {
    assertToken(token);
    this.transport.setTokenSource(() => token);
  }
}
