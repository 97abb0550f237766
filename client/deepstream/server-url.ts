import { InvalidArgumentError } from '../../shared/index.js';

/**
 * The platform's base URL for a deepstream URL: `ws(s)://host[:port][/path][?query]` becomes
 * `http(s)://host[:port]`, and `http(s)://` URLs keep their origin. The path (deepstream's
 * `/deepstream`) and the query (deepstreamHub's `?apiKey=`) are ignored: the platform speaks
 * Socket.IO at `/socket.io` and authenticates by token. A URL without a scheme is taken as `ws://`,
 * as deepstream does.
 *
 * @example
 * serverUrl('wss://123.deepstreamhub.com?apiKey=xxx'); // 'https://123.deepstreamhub.com'
 */
export function serverUrl(url: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new InvalidArgumentError('deepstream(url) needs a URL');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `ws://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new InvalidArgumentError(`Not a URL: ${JSON.stringify(url)}`);
  }
  const scheme = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[parsed.protocol];
  if (scheme === undefined) throw new InvalidArgumentError(`deepstream(url) takes ws(s):// or http(s):// URLs, not ${parsed.protocol}`);
  return `${scheme}//${parsed.host}`;
}
