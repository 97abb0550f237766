import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Where a development-mode server leaves its ephemeral secret, so that `npm run token` on the same
 * machine can sign tokens it accepts. Readable by the owner only; never used in production.
 */
export const DEV_SECRET_FILE = resolve('.cache', 'dev-secret');

/**
 * A fresh random HS256 secret for one development-mode run.
 *
 * @example
 * const secret = generateDevSecret();
 */
export function generateDevSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Writes the development secret for `npm run token`.
 *
 * @example
 * await saveDevSecret(secret);
 */
export async function saveDevSecret(secret: string, file = DEV_SECRET_FILE): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
}

/**
 * Reads the secret of the last development-mode server started here, if any.
 *
 * @example
 * const secret = await loadDevSecret();
 */
export async function loadDevSecret(file = DEV_SECRET_FILE): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}
