import type { FetchFunction } from '../../client/index.js';

/** One request a {@link RecordingFetch} passed on, and how it ended. */
export interface RecordedRequest {
  method: string;
  /** The path and query after the origin. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** The answer's status; `undefined` when `fetch` failed (network error, abort). */
  status?: number;
}

/** The real `fetch`, recording every request; give `fetch` to a `RealtimeRestClient`. */
export interface RecordingFetch {
  fetch: FetchFunction;
  requests: RecordedRequest[];
}

/**
 * Wraps the global `fetch` so that a test sees what a REST client sent and what it got back
 * (every attempt of a retried request), without replacing the server.
 *
 * @example
 * const recorder = recordingFetch();
 * const rest = new RealtimeRestClient({ url, token, fetch: recorder.fetch });
 * expect(recorder.requests.map((r) => r.status)).toEqual([429, 201]);
 */
export function recordingFetch(): RecordingFetch {
  const requests: RecordedRequest[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const url = new URL(input);
    const record: RecordedRequest = {
      method: init.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    requests.push(record);
    const response = await globalThis.fetch(input, init);
    record.status = response.status;
    return response;
  };
  return { fetch, requests };
}
