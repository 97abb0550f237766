import cors from 'cors';
import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { ResolvedLimits } from '../config.js';
import { authRoutes } from './auth-routes.js';
import { authenticate } from './authenticate.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { jsonShapeGuard } from './json-shape-guard.js';
import { requestLog } from './request-log.js';
import { API_DOCS_PAGE, openApiDocument, type MountedRouter } from './openapi.js';
import { payloadDepthLimit } from '../limits/session-limits.js';
import { staticRoutes, type StaticRoutesOptions } from './static-routes.js';
import type { Feature } from '../kernel/feature.js';
import { metricsRoutes, type MetricsAccess } from '../metrics/metrics-routes.js';
import type { SigningKeys } from '../auth/signing-keys.js';
import { tokenRoutes } from '../auth/token-routes.js';
import type { PlatformMetrics } from '../metrics/platform-metrics.js';

/** What the REST API is built from. */
export interface AppOptions {
  verifier: TokenVerifier;
  /** The features whose REST routes are mounted under `/api` (`buildFeatures`). */
  features: readonly Feature[];
  logger: Logger;
  limits: ResolvedLimits;
  corsOrigins: string[] | '*';
  developmentSecret?: string;
  /** The metrics `GET /metrics` serves, and who may scrape them. */
  metrics?: { registry: PlatformMetrics; access: MetricsAccess };
  /** `POST /auth/token`, `/api/keys` and the JWKS: the managed signing keys, and the configured secret. */
  tokens?: { keys: SigningKeys; fallbackSecret?: string };
  /** What `GET /ready` reports. */
  readiness: () => Promise<ReadinessReport>;
  /** The browser SDK under `/sdk/` (always) and the demo app (when enabled). */
  staticFiles?: StaticRoutesOptions;
  /**
   * Which unknown paths get the typed 404: `'all'` (the app is the whole server), or `'own'`
   * (mounted in a host app: only paths under `/api/` and `/auth/`; any other falls through to the
   * host's routes and its own 404).
   * @default 'all'
   */
  notFound?: 'all' | 'own';
}

/**
 * `GET /ready`: `ready` when every dependency is reachable, `degraded` (HTTP 503) when one is down
 * (the node still serves its own clients), `draining` (HTTP 503) while the node shuts down.
 */
export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'draining';
  checks: Record<string, 'up' | 'down'>;
}

/**
 * The Express app: `GET /health` and `GET /ready` (no auth), `/auth/*`, and the authenticated `/api/*` routes, with
 * every error answered as a typed JSON body.
 *
 * @example
 * const app = createApp({ verifier, features, logger, limits, corsOrigins: '*', readiness });
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(options.logger));
  app.use(cors({ origin: options.corsOrigins === '*' ? true : options.corsOrigins }));
  // Room for JSON overhead around a maximal payload; the payload itself is checked exactly later.
  app.use(express.json({ limit: options.limits.maxPayloadBytes * 2 + 4096 }));
  // Nesting depth and `__proto__` keys, before any route reads the body.
  app.use(jsonShapeGuard(payloadDepthLimit(options.limits)));

  // Every router is mounted through `mount`, so the OpenAPI document lists each of their routes.
  const mounts: MountedRouter[] = [];
  const mount = (prefix: string, router: Router): void => {
    mounts.push({ prefix, router });
    if (prefix === '') app.use(router);
    else app.use(prefix, router);
  };
  const core = Router();
  core.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  core.get('/ready', async (_req, res) => {
    const report = await options.readiness();
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  // Built at the first request, once every router is mounted; the routes never change after.
  let openApi: ReturnType<typeof openApiDocument> | undefined;
  core.get('/api/openapi.json', (_req, res) => {
    openApi ??= openApiDocument(mounts);
    res.json(openApi);
  });
  core.get('/api/docs', (_req, res) => {
    res.type('html').send(API_DOCS_PAGE);
  });
  mount('', core);
  if (options.metrics !== undefined) {
    // REST operations count themselves through this (see kernel/rest-requests.ts).
    app.locals.operationMetrics = options.metrics.registry;
    mount('', metricsRoutes(options.metrics.registry, options.verifier, options.metrics.access));
  }
  if (options.tokens !== undefined) mount('', tokenRoutes({ verifier: options.verifier, ...options.tokens }));
  app.use(staticRoutes(options.staticFiles));
  mount(
    '/auth',
    authRoutes({
      verifier: options.verifier,
      ...(options.developmentSecret === undefined ? {} : { developmentSecret: options.developmentSecret }),
    }),
  );
  app.use('/api', authenticate(options.verifier));
  for (const feature of options.features) if (feature.routes !== undefined) mount('/api', feature.routes);

  if (options.notFound === 'own') app.use(['/api', '/auth'], notFoundHandler);
  else app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
