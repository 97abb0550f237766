import path from 'node:path';
import express, { Router, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../../shared/index.js';
import { PACKAGE_ROOT } from '../package-info.js';

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


/**
 * The browser SDK at `/sdk/realtime.mjs` (ES module) and `/sdk/realtime.js` (script tag, global
 * `Realtime`), with their source maps, the admin console at `/admin/`, and, when enabled, the demo app. SDK files are public: any
 * origin may load them (`Access-Control-Allow-Origin: *`); they are revalidated on every load
 * (`Cache-Control: no-cache` with an ETag) because their names carry no version.
 *
 * @example
 * app.use(staticRoutes({ demo: developmentMode ? 'root' : false }));
 */
export function staticRoutes(options: StaticRoutesOptions = {}): Router {
  const sdkDirectory = path.resolve(options.sdkDirectory ?? path.join(PACKAGE_ROOT, 'dist/browser'));
  const router = Router();

  router.get('/sdk/:file', (req, res, next) => {
    const file = req.params.file;
    const contentType = SDK_FILES.get(file);
    if (contentType === undefined) {
      next(new NotFoundError(`No SDK file ${JSON.stringify(file)}; try /sdk/realtime.mjs or /sdk/realtime.js`));
      return;
    }
    setPublicHeaders(res);
    res.type(contentType);
    res.sendFile(file, { root: sdkDirectory, dotfiles: 'deny' }, (err?: Error) => {
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

function setPublicHeaders(res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}
