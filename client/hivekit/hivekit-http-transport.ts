import {
  InvalidArgumentError,
  REQUEST_SCHEMAS,
  UnavailableError,
  errorFromShape,
  parseInput,
  type ClientToServerEvents,
  type RealtimeError,
} from '../../shared/index.js';
import type { ObjectsTransport } from '../objects/objects-transport.js';

/** One REST call: method, path below the base URL, JSON body, query. */
interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

type Request = Record<string, unknown>;

const seg = (value: unknown): string => encodeURIComponent(String(value));

/** Everything of a request but the fields the path carries (the server refuses a body that repeats them). */
function rest(request: Request, ...pathFields: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).filter(([key]) => !pathFields.includes(key)));
}

function realmPath(request: Request): string {
  return `/api/realms/${seg(request.realm)}`;
}

/** The platform's objects REST API (README "Objects, areas and geo feeds (Hivekit)"), one route per socket event. */
const ROUTES: { readonly [E in keyof ClientToServerEvents]?: (request: Request) => Route } = {
  'realm:list': () => ({ method: 'GET', path: '/api/realms' }),
  'realm:create': (r) => ({ method: 'POST', path: '/api/realms', body: r }),
  'realm:get': (r) => ({ method: 'GET', path: realmPath(r) }),
  'realm:update': (r) => ({ method: 'PATCH', path: realmPath(r), body: rest(r, 'realm') }),
  'realm:delete': (r) => ({ method: 'DELETE', path: realmPath(r) }),
  'realm:search': (r) => ({ method: 'GET', path: `${realmPath(r)}/search`, query: rest(r, 'realm') }),
  'object:list': (r) => ({ method: 'POST', path: `${realmPath(r)}/objects/query`, body: rest(r, 'realm') }),
  'object:get': (r) => ({ method: 'GET', path: `${realmPath(r)}/objects/${seg(r.id)}` }),
  'object:create': (r) => ({ method: 'POST', path: `${realmPath(r)}/objects/${seg(r.id)}`, body: rest(r, 'realm', 'id') }),
  'object:update': (r) => ({ method: 'PATCH', path: `${realmPath(r)}/objects/${seg(r.id)}`, body: rest(r, 'realm', 'id') }),
  'object:set': (r) => ({ method: 'PUT', path: `${realmPath(r)}/objects/${seg(r.id)}`, body: rest(r, 'realm', 'id') }),
  'object:delete': (r) => ({ method: 'DELETE', path: `${realmPath(r)}/objects/${seg(r.id)}` }),
  'object:history': (r) => ({ method: 'GET', path: `${realmPath(r)}/history/${seg(r.id)}`, query: rest(r, 'realm', 'id') }),
  'area:list': (r) => ({ method: 'GET', path: `${realmPath(r)}/areas` }),
  'area:get': (r) => ({ method: 'GET', path: `${realmPath(r)}/areas/${seg(r.id)}` }),
  'area:create': (r) => ({ method: 'POST', path: `${realmPath(r)}/areas/${seg(r.id)}`, body: rest(r, 'realm', 'id') }),
  'area:update': (r) => ({ method: 'PATCH', path: `${realmPath(r)}/areas/${seg(r.id)}`, body: rest(r, 'realm', 'id') }),
  'area:delete': (r) => ({ method: 'DELETE', path: `${realmPath(r)}/areas/${seg(r.id)}` }),
  'pubsub:publish': (r) => ({ method: 'POST', path: `${realmPath(r)}/pubsub/${seg(r.event)}`, body: rest(r, 'realm', 'event') }),
};

/**
 * What the HTTP transport needs.
 *
 * @example
 * httpTransport({ baseUrl: 'http://localhost:3000', getToken: () => token, reportError: console.error });
 */
export interface HttpTransportOptions {
  /** `http(s)://host[:port][/prefix]`. */
  baseUrl: string;
  /** The Bearer token of each request (`authenticate()`'s). */
  getToken: () => string | undefined;
  reportError: (error: RealtimeError) => void;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * The objects, areas, realms, history, search and publish requests over the platform's REST API,
 * for `useHTTP()`: each request is checked with its socket event's schema, then sent as its route
 * with `Authorization: Bearer <token>`; an error body becomes the same typed error a socket ack
 * would carry. Subscriptions need the WebSocket connection and are refused.
 *
 * @example
 * const transport = httpTransport({ baseUrl: 'http://localhost:3000', getToken: () => token, reportError });
 * await transport.request('object:get', { realm: 'london', id: 'riders/7' });
 */
export function httpTransport(options: HttpTransportOptions): ObjectsTransport {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const request = async (event: keyof ClientToServerEvents, payload: unknown): Promise<never> => {
    const route = ROUTES[event];
    if (route === undefined) {
      throw new InvalidArgumentError(`${event} needs the WebSocket connection: over HTTP (useHTTP) there are no subscriptions`);
    }
    const checked = parseInput(REQUEST_SCHEMAS[event], payload, `${event} request`) as Request;
    const { method, path, body, query } = route(checked);
    const url = new URL(options.baseUrl.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    const token = options.getToken();
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new UnavailableError(`${method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = await response.text();
    const answer: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw errorFromShape(answer);
    return answer as never;
  };
  return {
    request: (event, payload) => request(event, payload),
    send: (event, payload) => {
      request(event, payload).catch((err: unknown) => options.reportError(err as RealtimeError));
    },
    reportError: options.reportError,
  };
}
