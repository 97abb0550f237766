import type { Express } from 'express';

/** The parts of an Express 5 (router 2) layer this reads. */
interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route an Express app registers, as `"METHOD /full/path"` (`"GET /api/sync/:service/documents"`),
 * mounted routers included: what the REST fuzzer must cover. Middleware without a route (static
 * files, the 404 handler) is not listed; the fuzzer reaches those through random paths.
 *
 * @example
 * registeredRoutes(server.app); // ['GET /health', 'GET /ready', ...]
 */
export function registeredRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: readonly Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack !== undefined) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return routes;
}
