import { toJsonSchema } from '@valibot/to-json-schema';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { SERVER_INFO } from '../package-info.js';
import { routeDoc, type RouteDoc } from './route-docs.js';

/** A router and the path it is mounted at (`/api`, `/auth`, or `` for the root). */
export interface MountedRouter {
  prefix: string;
  router: Router;
}

/** One route as Express holds it (router 2: a layer with a `route`). */
interface RouteLayer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: { handle: RequestHandler }[] };
}

type JsonObject = Record<string, unknown>;

const ERROR_BODY = {
  type: 'object',
  required: ['error', 'code', 'message'],
  properties: {
    error: { type: 'string', description: 'The error class, e.g. NotFoundError' },
    code: { type: 'string', description: 'INVALID_ARGUMENT, AUTH_FAILED, FORBIDDEN, NOT_FOUND, CONFLICT, RATE_LIMITED, ...' },
    message: { type: 'string' },
    details: { description: 'Per code: issues, limits, the current document, ...' },
    requestId: { type: 'string', description: 'The X-Request-Id of the request' },
  },
};

/** Routes anyone may call: no bearer token. */
const PUBLIC_PATHS = new Set(['/health', '/ready', '/auth/verify', '/auth/dev-token', '/.well-known/jwks.json', '/api/openapi.json', '/api/docs']);

/**
 * The OpenAPI 3.1 document of every REST route the app serves, built from the routers themselves
 * (each route's method and path as registered) and the schemas the routes validate with: an
 * operation route's request is its operation's valibot schema (the one the socket uses too), a
 * REST-only body its zod schema.
 *
 * Why from the routers: a hand-written document drifts; this one cannot miss a route, and a test
 * checks that every registered route is in it.
 *
 * @example
 * res.json(openApiDocument([{ prefix: '/api', router: syncRoutes }]));
 */
export function openApiDocument(mounts: readonly MountedRouter[]): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const { prefix, router } of mounts) {
    for (const layer of router.stack as RouteLayer[]) {
      const route = layer.route;
      if (route === undefined) continue;
      for (const routePath of Array.isArray(route.path) ? route.path : [route.path]) {
        if (typeof routePath !== 'string') continue;
        const fullPath = `${prefix}${routePath}` || '/';
        const openPath = fullPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        for (const method of Object.keys(route.methods)) {
          if (method === '_all') continue;
          const doc = routeDoc(
            router,
            method,
            routePath,
            route.stack.map((entry) => entry.handle),
          );
          (paths[openPath] ??= {})[method] = operationObject(method, fullPath, doc);
        }
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Realtime Platform REST API',
      version: SERVER_INFO.serverVersion,
      description: 'Every route of this server. Errors share one body (components.schemas.Error); see the README for each feature.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: ERROR_BODY },
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function operationObject(method: string, fullPath: string, doc: RouteDoc | undefined): JsonObject {
  const parameters = [...fullPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
  const body = doc?.body === undefined ? undefined : bodySchema(doc.body);
  const hasBody = method === 'post' || method === 'put' || method === 'patch';
  return {
    ...(doc?.operation === undefined
      ? {}
      : { operationId: doc.operation, description: `Runs the \`${doc.operation}\` operation (the same request over the socket).` }),
    ...(PUBLIC_PATHS.has(fullPath) ? { security: [] } : { security: [{ bearer: [] }] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(hasBody ? { requestBody: { required: body !== undefined, content: { 'application/json': { schema: body ?? { type: 'object' } } } } } : {}),
    responses: {
      [method === 'post' ? '2XX' : '200']: { description: 'Success', content: { 'application/json': { schema: {} } } },
      default: { description: 'A typed error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
}

function bodySchema(body: NonNullable<RouteDoc['body']>): JsonObject {
  const schema =
    'valibot' in body
      ? toJsonSchema(body.valibot, { target: 'draft-2020-12', errorMode: 'ignore' })
      : z.toJSONSchema(body.zod, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  const { $schema: _ignored, ...rest } = schema as JsonObject;
  return rest;
}

/**
 * `GET /api/docs`: a page that reads `/api/openapi.json` and lists every route with its request
 * schema. Self-contained (no CDN), so it works on a machine without internet.
 */
export const API_DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Realtime Platform REST API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1d2330}
h1{font-size:1.5rem}details{border:1px solid #d5dae3;border-radius:6px;margin:.4rem 0;padding:.4rem .8rem}
summary{cursor:pointer}code.m{display:inline-block;min-width:4.2rem;font-weight:600;text-transform:uppercase}
.post{color:#0a7a3b}.get{color:#1c5fbf}.patch{color:#9a5b00}.delete{color:#b3261e}.put{color:#6b3fb3}
pre{background:#f5f7fa;padding:.6rem;overflow:auto;font-size:13px}input{font:inherit;padding:.3rem .5rem;width:100%;box-sizing:border-box}
</style></head><body>
<h1>Realtime Platform REST API</h1>
<p>Generated from the server's routes and the schemas they validate with. Raw document: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<input id="filter" placeholder="Filter by path or operation" aria-label="Filter routes">
<div id="routes" role="list"></div>
<script type="module">
const spec = await (await fetch('/api/openapi.json')).json();
const list = document.getElementById('routes');
const render = (needle) => {
  list.replaceChildren();
  for (const [path, methods] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(methods)) {
    const text = method + ' ' + path + ' ' + (op.operationId ?? '');
    if (needle && !text.toLowerCase().includes(needle.toLowerCase())) continue;
    const item = document.createElement('details');
    item.setAttribute('role', 'listitem');
    item.dataset.route = method.toUpperCase() + ' ' + path;
    const summary = document.createElement('summary');
    const verb = document.createElement('code'); verb.className = 'm ' + method; verb.textContent = method;
    const where = document.createElement('code'); where.textContent = ' ' + path + (op.operationId ? '  (' + op.operationId + ')' : '');
    summary.append(verb, where);
    const body = document.createElement('pre');
    body.textContent = JSON.stringify({ security: op.security, parameters: op.parameters, requestBody: op.requestBody?.content?.['application/json']?.schema }, null, 2);
    item.append(summary, body);
    list.append(item);
  }
};
document.getElementById('filter').addEventListener('input', (event) => render(event.target.value));
render('');
</script></body></html>`;
