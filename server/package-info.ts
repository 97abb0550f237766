import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerInfo } from '../shared/index.js';

/**
 * The nearest directory at or above `start` holding a package.json (the server may run from
 * `dist/`).
 *
 * @example
 * const root = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
 */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}

/** This package's root directory. */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/**
 * What every connection is told about the server (`session:opened`, `auth:login`): the
 * `version` of this package's package.json, and as build date the moment this process loaded the
 * server (ISO 8601). The build (`npm run build`) stamps no date into the code (and development
 * runs the TypeScript sources through tsx), so the start time is what tells two deploys of the same
 * version apart.
 *
 * @example
 * socket.emit('session:opened', { limits, ...SERVER_INFO });
 */
export const SERVER_INFO: Readonly<ServerInfo> = Object.freeze({
  serverVersion: packageVersion(),
  serverBuildDate: new Date().toISOString(),
});
