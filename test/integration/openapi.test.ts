import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `/api/openapi.json` lists every REST route the server has, with the request schemas the routes
 * validate with, and `/api/docs` renders it.
 */

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<string, { operationId?: string; security?: unknown[]; requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } } }>
  >;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

let t: TestServer;
let doc: OpenApi;

beforeAll(async () => {
  t = await startTestServer({ metrics: { public: true } });
  const res = await fetch(`${t.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApi;
});
afterAll(() => t.close());

/** Every route registered anywhere in the Express app, found by walking its router stack. */
function registeredRoutes(): { method: string; path: string }[] {
  const found: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods)) for (const path of paths) found.push({ method, path });
      } else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
    }
  };
  walk((t.server.app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and has every route of the app', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    const routes = registeredRoutes().filter(
      (route) => !route.path.startsWith('/sdk') && !route.path.startsWith('/admin') && !route.path.includes('demo') && !route.path.endsWith('.html'),
    );
    expect(routes.length).toBeGreaterThan(60);
    for (const route of routes) {
      const suffix = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(
        documented.some((entry) => entry.startsWith(`${route.method} `) && entry.endsWith(suffix === '/' ? '' : suffix)),
        `${route.method} ${route.path}`,
      ).toBe(true);
    }
  });

  it('documents a route that exists for each entry (no phantom paths)', async () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      const url = `${t.url}${path.replace(/\{[^}]+\}/g, 'x')}`;
      for (const method of Object.keys(methods)) {
        const res = await fetch(url, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json' },
          ...(method === 'get' ? {} : { body: '{}' }),
        });
        const text = await res.text();
        expect(text.includes('"No route for'), `${method} ${path}`).toBe(false);
      }
    }
  });

  it('carries the schemas the routes validate with, and which routes need a token', () => {
    const publish = doc.paths['/api/events']?.post;
    expect(publish?.operationId).toBe('topic:publish');
    expect(publish?.requestBody?.content['application/json'].schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['topic', 'payload']) });
    expect(publish?.security).toEqual([{ bearer: [] }]);
    const topic = doc.paths['/api/topics']?.post?.requestBody?.content['application/json'].schema;
    expect(topic).toMatchObject({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, owner: { type: 'string' } } });
    expect(doc.paths['/health']?.get?.security).toEqual([]);
    expect(doc.paths['/api/webhooks/{id}']?.patch?.requestBody?.content['application/json'].schema).toMatchObject({ type: 'object' });
    for (const path of ['/api/sync/{service}/documents', '/api/realms/{realm}/objects', '/auth/token', '/metrics', '/api/keys/rotate']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });

  it('is rendered at /api/docs', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('/api/openapi.json');
  });
});
