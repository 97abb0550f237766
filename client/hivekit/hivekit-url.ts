import { hivekitError } from './hivekit-errors.js';

/**
 * Where a Hivekit URL points on this platform: its HTTP base and the Socket.IO path.
 *
 * @example
 * const { baseUrl, socketPath }: HivekitEndpoint = hivekitEndpoint('ws://localhost:3000/ws');
 */
export interface HivekitEndpoint {
  /** `http(s)://host[:port][/prefix]`: the base of the REST API and of the Socket.IO connection. */
  baseUrl: string;
  /** The Socket.IO path (`/socket.io`, or `/prefix/socket.io` for a server mounted under a prefix). */
  socketPath: string;
}

/** Hivekit's own endpoint paths, which on this platform all mean "the server here". */
const HIVEKIT_PATHS = [/\/api\/v\d+\/ws\/?$/, /\/api\/v\d+\/?$/, /\/ws\/?$/, /\/socket\.io\/?$/, /\/$/];

/**
 * Maps the URL Hivekit code connects to (`ws://localhost:8090/ws`, `wss://host/api/v1/ws`,
 * `https://host`) to this platform's endpoint: `ws(s)` becomes `http(s)`, and Hivekit's endpoint
 * path is dropped (what is left is a mount prefix, if any).
 *
 * @example
 * hivekitEndpoint('ws://localhost:3000/api/v1/ws'); // { baseUrl: 'http://localhost:3000', socketPath: '/socket.io' }
 */
export function hivekitEndpoint(url: unknown): HivekitEndpoint {
  if (typeof url !== 'string') throw hivekitError('serverUrl must be a string such as "ws://localhost:3000/ws"');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw hivekitError(`invalid server url ${JSON.stringify(url)}`);
  }
  const protocol = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[parsed.protocol];
  if (protocol === undefined) throw hivekitError(`server url must be ws(s):// or http(s)://, got ${JSON.stringify(url)}`);
  let prefix = parsed.pathname;
  for (const pattern of HIVEKIT_PATHS) {
    if (pattern.test(prefix)) {
      prefix = prefix.replace(pattern, '');
      break;
    }
  }
  return { baseUrl: `${protocol}//${parsed.host}${prefix}`, socketPath: `${prefix}/socket.io` };
}
