import type { DevToken, DevTokenRequest, TokenVerification } from './rest-results.js';
import type { RestTransport } from './rest-transport.js';

/**
 * The token routes the server has (`/auth/*`, no bearer token needed): `rest.tokens`. There is no
 * route that mints production tokens: a backend signs its own (`signToken` from
 * `realtime-platform/server`, or `npm run token`).
 *
 * @example
 * const { userId, realms, expiresAt } = await rest.tokens.verify();
 */
export class RestTokensClient {
  constructor(private readonly transport: RestTransport) {}

  /**
   * What a token grants (`POST /auth/verify`): the client's own token when none is given.
   * `AuthError` (`AUTH_FAILED` or `TOKEN_EXPIRED`) when it is not valid. A read: retried on
   * `UNAVAILABLE` and timeouts.
   */
  async verify(token?: string): Promise<TokenVerification> {
    const body = { token: token ?? (await this.transport.currentToken()) };
    return this.transport.send({ method: 'POST', path: '/auth/verify', body, authenticated: false, safety: 'safe' });
  }

  /**
   * Mints a token for any user (`POST /auth/dev-token`), on a server in development mode only
   * (`NotFoundError` otherwise), for local callers only (`ForbiddenError` from another site).
   * Valid one hour unless `expiresIn` asks for up to 24 hours.
   */
  async devToken(request: DevTokenRequest): Promise<DevToken> {
    return this.transport.send({ method: 'POST', path: '/auth/dev-token', body: request, authenticated: false });
  }
}
