import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { guardedLookup, isPrivateHostName } from './address-guard.js';
import { parseRetryAfter } from './retry-schedule.js';

/**
 * What one attempt came to: an answer (any status), a failure before an answer (refused,
 * timed out, reset, ...), or an abort because the server is closing (the attempt does not count).
 */
export type AttemptResult =
  | { kind: 'response'; statusCode: number; durationMs: number; retryAfterMs?: number }
  | { kind: 'error'; error: string; durationMs: number }
  | { kind: 'aborted' };

/** One signed request to send. */
export interface OutgoingWebhook {
  url: string;
  body: string;
  /** The Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  headers: Record<string, string>;
}

/** Options of {@link WebhookSender}. */
export interface WebhookSenderOptions {
  /** Allow loopback and private addresses. */
  allowPrivateNetworks: boolean;
  /** Until the answer's status line arrives, ms; reading the rest of the answer gets as long again. */
  requestTimeoutMs: number;
  /** The clock for `Retry-After` dates. */
  now: () => number;
}

/** Bytes of an answer's body read (and discarded) at most; the connection is closed beyond it. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const USER_AGENT = 'RealtimePlatform-Webhooks/1.0';

/**
 * Sends one webhook request with `node:http(s)`: POST, JSON body, a timeout per attempt, no
 * redirects followed (a 3xx is a failure, as Standard Webhooks recommends, and following one could
 * lead to an internal address), and every connection made through {@link guardedLookup} so that
 * private addresses are refused unless allowed. Keep-alive agents reuse connections to busy
 * endpoints. Error texts name what happened, never the URL (which may carry credentials).
 *
 * @example
 * const sender = new WebhookSender({ allowPrivateNetworks: false, requestTimeoutMs: 15000, now: Date.now });
 * const result = await sender.send({ url, body, headers }, signal);
 */
export class WebhookSender {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(private readonly options: WebhookSenderOptions) {
    this.lookup = guardedLookup(options.allowPrivateNetworks);
  }

  /** Sends, resolving with what happened (never rejects). */
  send(request: OutgoingWebhook, signal: AbortSignal): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ kind: 'error', error: 'invalid URL', durationMs: 0 });
    }
    if (!this.options.allowPrivateNetworks && isPrivateHostName(url.hostname)) {
      return Promise.resolve({
        kind: 'error',
        error: 'refused: the host is a private or loopback address (WEBHOOKS_ALLOW_PRIVATE_NETWORKS is off)',
        durationMs: 0,
      });
    }
    if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
    const secure = url.protocol === 'https:';
    const { requestTimeoutMs } = this.options;

    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const request_ = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          lookup: this.lookup,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(request.body)),
            'user-agent': USER_AGENT,
            ...request.headers,
          },
        },
        (response) => {
          const statusCode = response.statusCode ?? 0;
          const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.options.now());
          finish({ kind: 'response', statusCode, durationMs: elapsed(), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
          // Read and discard the body so the connection can be reused; give up on huge or slow ones.
          let received = 0;
          const bodyTimer = setTimeout(() => response.destroy(), requestTimeoutMs);
          bodyTimer.unref();
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > MAX_RESPONSE_BYTES) response.destroy();
          });
          response.on('error', () => undefined);
          response.on('close', () => clearTimeout(bodyTimer));
        },
      );
      const onAbort = (): void => {
        request_.destroy();
        finish({ kind: 'aborted' });
      };
      const timer = setTimeout(() => {
        request_.destroy();
        finish({ kind: 'error', error: `timed out after ${requestTimeoutMs} ms`, durationMs: elapsed() });
      }, requestTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      request_.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'error', error: describeError(err), durationMs: elapsed() }));
      request_.end(request.body);
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

const ERROR_TEXTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

function describeError(err: NodeJS.ErrnoException): string {
  if (err.code === 'EPRIVATEADDRESS') return err.message;
  const code = err.code ?? '';
  const known = ERROR_TEXTS[code];
  if (known !== undefined) return `${known} (${code})`;
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return `TLS failure (${code})`;
  if (err.message === 'socket hang up') return 'connection closed before an answer (socket hang up)';
  return code === '' ? 'request failed' : `request failed (${code})`;
}
