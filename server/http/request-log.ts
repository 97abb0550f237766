import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's own request id is kept when it looks like one (a proxy's or a client's trace id). */
const GIVEN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths probed every few seconds: logged at debug, so they do not drown the rest. */
const PROBES = new Set(['/health', '/ready', '/metrics', '/api/metrics/prometheus']);

/** Query parameters that carry credentials, blanked in logged URLs. */
const SECRET_PARAMS = /([?&](?:token|access_token|api_key|key|secret)=)[^&#]*/gi;

/**
 * One log line per REST request (pino-http): method, path, status, duration and the request id,
 * which is returned in `X-Request-Id` and carried into error bodies (`requestId`), so a user's
 * report of a failed call leads to its log line.
 *
 * Why a caller's id is kept: behind a load balancer or in a traced backend the request already has
 * an id, and one id across hops is what makes the logs joinable. Credentials never reach the log:
 * the `Authorization` header is redacted by the logger, and credential query parameters here.
 *
 * @example
 * app.use(requestLog(logger));
 */
export function requestLog(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customLogLevel: (req, res, err) => {
      if (err !== undefined || res.statusCode >= 500) return 'error';
      if (PROBES.has((req.url ?? '').split('?')[0] ?? '')) return 'debug';
      // A 4xx is the caller's mistake, answered as designed: information, not a warning about the server.
      return 'info';
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.replace(SECRET_PARAMS, '$1[redacted]'),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
