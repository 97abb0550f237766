import type { RequestHandler, Router } from 'express';
import type { AnySchema } from '../../shared/index.js';
import type { z } from 'zod';

/** What the OpenAPI document says of one route's request, beside its method and path. */
export interface RouteDoc {
  /** The wire name of the operation the route runs (`topic:publish`), for REST and socket alike. */
  operation?: string;
  /** The request body's schema: the operation's valibot schema, or a REST-only body's zod schema. */
  body?: { valibot: AnySchema } | { zod: z.ZodType };
}

const HANDLER_DOCS = new WeakMap<RequestHandler, RouteDoc>();
const ROUTER_DOCS = new WeakMap<Router, Map<string, RouteDoc>>();

/**
 * Says what a handler's request is, for the OpenAPI document (`restOperation` does this for every
 * operation route).
 *
 * @example
 * documentHandler(handler, { operation: 'topic:publish', body: { valibot: publishRequestSchema } });
 */
export function documentHandler(handler: RequestHandler, doc: RouteDoc): RequestHandler {
  HANDLER_DOCS.set(handler, doc);
  return handler;
}

/**
 * Says what the bodies of a router's REST-only routes are (those that parse their body with zod
 * inside the handler), keyed `METHOD path` as registered on the router.
 *
 * @example
 * documentBodies(router, { 'POST /webhooks': createWebhookSchema, 'PATCH /webhooks/:id': updateWebhookSchema });
 */
export function documentBodies(router: Router, bodies: Record<string, z.ZodType>): void {
  let docs = ROUTER_DOCS.get(router);
  if (docs === undefined) ROUTER_DOCS.set(router, (docs = new Map()));
  for (const [route, schema] of Object.entries(bodies)) docs.set(route, { body: { zod: schema } });
}

/** What is known of a route: from its handlers, else from its router. */
export function routeDoc(router: Router, method: string, path: string, handlers: readonly RequestHandler[]): RouteDoc | undefined {
  for (const handler of handlers) {
    const doc = HANDLER_DOCS.get(handler);
    if (doc !== undefined) return doc;
  }
  return ROUTER_DOCS.get(router)?.get(`${method.toUpperCase()} ${path}`);
}
