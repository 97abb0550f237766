import { InvalidArgumentError, NotFoundError, type RealtimeError } from '../../shared/index.js';

/**
 * The typed error for a client error raised inside Express rather than by a route: a route
 * parameter with bad percent-encoding (the router's `URIError`, status 400) or an `http-errors`
 * 4xx from a static file. Without this they would be answered as `INTERNAL` (500) and logged
 * with a stack trace; they are the caller's mistake, so they are answered as such and not logged.
 * Answers `undefined` for anything else.
 *
 * @example
 * const error = fromHttpClientError(err) ?? toRealtimeError(err);
 */
export function fromHttpClientError(err: unknown): RealtimeError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode, expose } = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499) return undefined;
  if (err instanceof URIError) {
    return new InvalidArgumentError('The URL has malformed percent-encoding (a % not followed by two hex digits of valid UTF-8)');
  }
  // http-errors marks the errors whose message is meant for the client.
  if (expose !== true) return undefined;
  const message = err instanceof Error ? err.message : 'Bad request';
  return code === 404 ? new NotFoundError(message) : new InvalidArgumentError(message);
}
