import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { AuthError, ErrorCode, ForbiddenError } from '../../shared/index.js';
import { isPlatformAdmin } from '../auth/permissions.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { PlatformMetrics } from './platform-metrics.js';

/** Who may scrape the metrics. */
export interface MetricsAccess {
  /**
   * A static bearer token for the scraper (`METRICS_TOKEN`), as Prometheus sends it with
   * `authorization: { credentials: ... }`. A platform admin's JWT is accepted as well.
   */
  scrapeToken?: string;
  /**
   * Serve the metrics without any token (a private network that only Prometheus reaches).
   * @default false
   */
  public?: boolean;
}

const MISSING = 'Authorization: Bearer <token> header is required (METRICS_TOKEN, or the JWT of an admin of every realm)';

/**
 * `GET /metrics` and `GET /api/metrics/prometheus`: the Prometheus text format.
 *
 * Why behind a token by default: the figures name realms and show traffic, which one tenant must
 * not read of another; so a scrape needs the configured `METRICS_TOKEN`, or the JWT of a platform
 * admin (role `admin` with `realms: ['*']`), unless the operator declares the endpoint public.
 *
 * @example
 * app.use(metricsRoutes(metrics, verifier, { scrapeToken: process.env.METRICS_TOKEN }));
 */
export function metricsRoutes(metrics: PlatformMetrics, verifier: TokenVerifier, access: MetricsAccess): Router {
  const router = Router();
  const scrapeToken = access.scrapeToken === undefined || access.scrapeToken === '' ? undefined : Buffer.from(access.scrapeToken);
  const authorize = async (req: Request): Promise<void> => {
    if (access.public === true) return;
    const header = req.headers.authorization;
    if (header === undefined || !/^Bearer\s+\S+/i.test(header)) throw new AuthError(ErrorCode.AUTH_FAILED, MISSING);
    const token = header.replace(/^Bearer\s+/i, '').trim();
    if (scrapeToken !== undefined && sameSecret(Buffer.from(token), scrapeToken)) return;
    const principal = await verifier.verify(token);
    if (!isPlatformAdmin(principal)) throw new ForbiddenError('Metrics need METRICS_TOKEN or an admin of every realm (realms ["*"], role admin)');
  };
  for (const path of ['/metrics', '/api/metrics/prometheus']) {
    router.get(path, async (req, res) => {
      await authorize(req);
      res.type(metrics.contentType).send(await metrics.render());
    });
  }
  return router;
}

function sameSecret(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}
