import type { WebhookDeliveryPage, WebhookDeliveryView, WebhookEndpointView } from '../../shared/index.js';
import type { TestServer } from './test-server.js';

/** A REST answer: status, parsed JSON body (undefined when empty) and headers. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A REST caller bound to one server and token. */
export type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer<T>>;

/**
 * Calls `/api<path>` with a bearer token and a JSON body.
 *
 * @example
 * const api = restApi(t, adminToken);
 * const { status, body } = await api('POST', '/webhooks', { url });
 */
export function restApi(t: Pick<TestServer, 'url'>, token: string): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${t.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as never, headers: res.headers };
  };
}

/**
 * Polls an endpoint's deliveries until `predicate` holds for the page (or times out).
 *
 * @example
 * const page = await deliveriesUntil(api, id, (items) => items.some((d) => d.status === 'failed'));
 */
export async function deliveriesUntil(
  api: Api,
  webhookId: string,
  predicate: (items: WebhookDeliveryView[]) => boolean,
  timeoutMs = 10_000,
): Promise<WebhookDeliveryView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<WebhookDeliveryPage>('GET', `/webhooks/${webhookId}/deliveries?limit=200`);
    if (predicate(body.items)) return body.items;
    if (Date.now() > deadline) throw new Error(`deliveries of ${webhookId} never matched: ${JSON.stringify(body.items)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Polls an endpoint until `predicate` holds.
 *
 * @example
 * await endpointUntil(api, id, (endpoint) => !endpoint.active);
 */
export async function endpointUntil(
  api: Api,
  webhookId: string,
  predicate: (endpoint: WebhookEndpointView) => boolean,
  timeoutMs = 10_000,
): Promise<WebhookEndpointView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<WebhookEndpointView>('GET', `/webhooks/${webhookId}`);
    if (predicate(body)) return body;
    if (Date.now() > deadline) throw new Error(`webhook ${webhookId} never matched: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
