/**
 * `npm start`: runs the server with configuration from the environment.
 */
import { pino } from 'pino';
import { loadConfig, ConfigError, type ServerConfig } from './config.js';
import { generateDevSecret, saveDevSecret } from './dev-secret.js';
import { REDACTED_PATHS } from './logger.js';
import { createRealtimeServer } from './realtime-server.js';
import { shutdownOnSignals } from './shutdown-on-signals.js';
import { signToken } from './auth/token-signer.js';

function createCliLogger(config: ServerConfig) {
  const options = { level: config.logLevel, base: { service: 'realtime' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (config.developmentMode && process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}

/**
 * Development mode serves the demo, which loads the browser SDK from `/sdk/`: build the bundles
 * (`npm run build:browser`) when they are missing or stale, so `npm start` alone gives a working, current demo.
 * Elsewhere the server serves whatever `npm run build` produced.
 */
async function buildBrowserSdkIfMissing(logger: ReturnType<typeof createCliLogger>): Promise<void> {
  try {
    const { ensureBrowserBundles, formatSizes } = await import('../client/browser/build.js');
    const report = await ensureBrowserBundles();
    if (report !== undefined) logger.info({ sizes: formatSizes(report) }, 'built the browser SDK (dist/browser)');
  } catch (err) {
    logger.warn({ err }, 'could not build the browser SDK; /sdk/ answers 404 until `npm run build:browser` succeeds');
  }
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createCliLogger(config);
  const auth = { ...config.auth };
  if (config.developmentMode) {
    auth.secret = generateDevSecret();
    await saveDevSecret(auth.secret);
    logger.warn('DEVELOPMENT MODE: no JWT_SECRET, JWT_SECRETS or JWT_JWKS_URL set; using an ephemeral secret (set one, and NODE_ENV=production, for real use)');
  }
  const { mongodbUrl, mongodbDb, maxDocumentBytes } = config.documents;
  // The stores are built by the server from this configuration (see composition-root.ts).
  if (mongodbUrl === undefined) {
    logger.warn('Sync documents are kept IN MEMORY ONLY and are lost when the server stops; set MONGODB_URL to keep them');
    logger.warn('Webhook endpoints and queued deliveries are kept IN MEMORY ONLY; set MONGODB_URL to keep them');
  } else {
    logger.info({ db: mongodbDb }, 'sync documents in MongoDB');
  }
  if (config.redis === undefined) logger.info('running alone (no REDIS_URL): presence and event history in this process');
  else {
    const { keyPrefix, adapter, clusterNodes } = config.redis;
    logger.info({ keyPrefix, adapter, redisCluster: clusterNodes !== undefined }, 'cluster mode: sharing Redis with other nodes');
  }
  const server = createRealtimeServer({
    ...(mongodbUrl === undefined ? {} : { mongodb: { url: mongodbUrl, dbName: mongodbDb } }),
    maxDocumentBytes,
    ...(config.redis === undefined ? {} : { redis: config.redis }),
    history: config.history,
    objects: { limits: config.objects },
    port: config.port,
    ...(config.host === undefined ? {} : { host: config.host }),
    auth,
    corsOrigins: config.corsOrigins,
    logger,
    limits: config.limits,
    rateLimits: config.rateLimits,
    developmentMode: config.developmentMode,
    demo: config.demoEnabled,
    metrics: config.metrics,
    ...(config.signingKeysSecret === undefined ? {} : { signingKeysSecret: config.signingKeysSecret }),
    batching: config.batching,
    ws: config.ws,
    webhooks: config.webhooks,
    databaseEvents: config.databaseEvents,
    ...(config.authHook === undefined ? {} : { authHook: config.authHook }),
  });
  if (config.developmentMode) await buildBrowserSdkIfMissing(logger);
  const { url } = await server.listen();

  if (config.developmentMode && auth.secret !== undefined) {
    const token = await signToken({
      sub: 'developer',
      secret: auth.secret,
      expiresIn: '24h',
      claims: { realm: 'demo', permissions: ['service'] },
    });
    process.stdout.write(
      [
        '',
        `Realtime Platform (development mode) at ${url}`,
        'A development token (user "developer", realm "demo", role service, valid 24h):',
        '',
        token,
        '',
        'More tokens: npm run token -- --sub alice --realm demo --permissions client',
        `The demo app: ${url}/ (browser SDK at ${url}/sdk/realtime.mjs and ${url}/sdk/realtime.js)`,
        '',
      ].join('\n'),
    );
  }

  // A stray rejection from a library must not take every client down with the process.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  shutdownOnSignals(server, { logger, drainTimeoutMs: config.shutdownTimeoutMs });
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
