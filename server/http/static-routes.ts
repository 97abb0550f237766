import path from 'node:path';
import compression from 'compression';
import express, { Router, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../../shared/index.js';
import { PACKAGE_ROOT, SERVER_INFO } from '../package-info.js';

/** Where the demo app is served. */
export type DemoMount =
  /** At `/` and `/demo/` (development mode). */
  | 'root'
  /** At `/demo/` only (`DEMO_ENABLED=true`). */
  | 'path'
  /** Not at all. */
  | false;

/** Options of {@link staticRoutes}. */
export interface StaticRoutesOptions {
  /**
   * The directory holding the browser bundles (`npm run build:browser` writes them).
   * @default '<package root>/dist/browser'
   */
  sdkDirectory?: string;
  /**
   * Where the demo app is served.
   * @default false
   */
  demo?: DemoMount;
  /**
   * The demo app's files.
   * @default '<package root>/client/demo'
   */
  demoDirectory?: string;
  /**
   * The admin console's files, served at `/admin/`.
   * @default '<package root>/client/admin'
   */
  adminDirectory?: string;
}

/** The files served under `/sdk/`, with their content types (a Map: `constructor` is no file). */
const SDK_FILES: ReadonlyMap<string, string> = new Map([
  ['realtime.mjs', 'text/javascript; charset=utf-8'],
  ['realtime.js', 'text/javascript; charset=utf-8'],
  ['realtime.mjs.map', 'application/json; charset=utf-8'],
  ['realtime.js.map', 'application/json; charset=utf-8'],
  ['sizes.json', 'application/json; charset=utf-8'],
]);

/** `realtime-<version>.mjs` and the like: a bundle under a name that changes with each release. */
const VERSIONED_NAME = /^realtime-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.((?:m?js)(?:\.map)?)$/;

/** How long browsers and CDNs may keep an unversioned SDK file before revalidating it (its ETag). */
export const SDK_UNVERSIONED_MAX_AGE_SECONDS = 60;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT_LIVED = `public, max-age=${SDK_UNVERSIONED_MAX_AGE_SECONDS}`;

/**
 * The browser SDK at `/sdk/realtime.mjs` (ES module) and `/sdk/realtime.js` (script tag, global
 * `Realtime`), with their source maps, the admin console at `/admin/`, and, when enabled, the demo app. SDK files are public: any
 * origin may load them (`Access-Control-Allow-Origin: *`), compressed (brotli or gzip, as the browser
 * accepts). Under versioned names (`/sdk/realtime-0.1.0.mjs`, the running server's version) they are
 * cached for a year (`immutable`); the unversioned names for {@link SDK_UNVERSIONED_MAX_AGE_SECONDS}
 * seconds, then revalidated with their ETag.
 *
 * @example
 * app.use(staticRoutes({ demo: developmentMode ? 'root' : false }));
 */
export function staticRoutes(options: StaticRoutesOptions = {}): Router {
  const sdkDirectory = path.resolve(options.sdkDirectory ?? path.join(PACKAGE_ROOT, 'dist/browser'));
  const router = Router();

  // On the fly: the bundles are a few hundred KB and cached by browsers and CDNs, so each is
  // compressed about once per client and release. The compression module negotiates
  // Accept-Encoding (br, gzip, deflate) and sets Vary.
  router.use('/sdk/', compression());
  router.get('/sdk/:file', (req, res, next) => {
    const requested = req.params.file;
    const versioned = VERSIONED_NAME.exec(requested);
    if (versioned !== null && versioned[1] !== SERVER_INFO.serverVersion) {
      next(
        new NotFoundError(
          `This server serves SDK version ${SERVER_INFO.serverVersion}, not ${String(versioned[1])}: try /sdk/realtime-${SERVER_INFO.serverVersion}.mjs`,
        ),
      );
      return;
    }
    const file = versioned === null ? requested : `realtime.${String(versioned[2])}`;
    const contentType = SDK_FILES.get(file);
    if (contentType === undefined) {
      next(new NotFoundError(`No SDK file ${JSON.stringify(requested)}; try /sdk/realtime.mjs or /sdk/realtime.js`));
      return;
    }
    setPublicHeaders(res, versioned === null ? SHORT_LIVED : IMMUTABLE);
    res.type(contentType);
    res.sendFile(file, { root: sdkDirectory, dotfiles: 'deny', cacheControl: false }, (err?: Error) => {
      if (err === undefined || res.headersSent) return;
      next(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new NotFoundError(`The browser SDK has not been built: run \`npm run build:browser\` (looked in ${sdkDirectory})`)
          : err,
      );
    });
  });

  // The admin console: static files only; every figure it shows comes from the API, with the token
  // the operator signs in with.
  const adminDirectory = path.resolve(options.adminDirectory ?? path.join(PACKAGE_ROOT, 'client/admin'));
  router.get('/admin', trailingSlash('/admin'));
  // Not to be framed: the console acts with an admin's token.
  router.use('/admin', pageDirectory(adminDirectory, { 'X-Frame-Options': 'DENY' }));

  if (options.demo === 'root' || options.demo === 'path') {
    const demoDirectory = path.resolve(options.demoDirectory ?? path.join(PACKAGE_ROOT, 'client/demo'));
    const serveDemo = pageDirectory(demoDirectory);
    // The page links its files relatively, so `/demo` needs its trailing slash.
    router.get('/demo', trailingSlash('/demo'));
    router.use('/demo', serveDemo);
    if (options.demo === 'root') router.use(serveDemo);
  }
  return router;
}

/** A directory of a static page (`index.html` and its files), revalidated on every load. */
function pageDirectory(directory: string, headers: Record<string, string> = {}): RequestHandler {
  return express.static(directory, {
    index: 'index.html',
    redirect: false,
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders: (res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    },
  });
}

/** Redirects `path` to `path/` (keeping the query), for a page that links its files relatively. */
function trailingSlash(path: string): RequestHandler {
  return (req, res, next) => {
    if (req.path !== path) {
      next();
      return;
    }
    res.redirect(301, `${path}/${new URL(req.originalUrl, 'http://localhost').search}`);
  };
}

function setPublicHeaders(res: Response, cacheControl: string): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('X-Content-Type-Options', 'nosniff');
}
