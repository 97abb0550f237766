/**
 * `npm run check:packages` (CI runs it before `npm test`): lints every built package as a registry
 * would see it, with [publint](https://publint.dev) (package.json fields against the files in the
 * tarball; strict: warnings fail too) and [Are the Types Wrong?](https://arethetypeswrong.github.io)
 * (`attw --pack --profile esm-only`: each subpath's types resolve under node16 and bundler
 * resolution; the packages are ESM only, so CommonJS `require` is out of scope).
 *
 * Run `npm run build:packages` first (`npm install` does, through `prepare`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packageDir, REPO_ROOT } from './build.js';
import { WORKSPACE_PACKAGES } from './workspace-packages.js';

const run = promisify(execFile);

async function main(): Promise<void> {
  let failed = false;
  for (const pkg of WORKSPACE_PACKAGES) {
    const dir = packageDir(pkg);
    if (!existsSync(path.join(dir, 'dist'))) throw new Error(`${pkg.name} is not built: run npm run build:packages`);

    const { messages, pkg: manifest } = await publint({ pkgDir: dir, strict: true, level: 'suggestion' });
    for (const message of messages) process.stdout.write(`publint ${pkg.name}: ${message.type}: ${formatMessage(message, manifest) ?? message.code}\n`);
    if (messages.some((message) => message.type !== 'suggestion')) failed = true;

    const attw = path.join(REPO_ROOT, 'node_modules/.bin/attw');
    try {
      await run(attw, ['--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped', '--no-color'], { cwd: REPO_ROOT });
      process.stdout.write(`attw ${pkg.name}: no problems\n`);
    } catch (err) {
      failed = true;
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      process.stdout.write(`attw ${pkg.name}: problems\n${stdout ?? ''}${stderr ?? ''}\n`);
    }
    if (messages.length === 0) process.stdout.write(`publint ${pkg.name}: all good\n`);
  }
  if (failed) process.exit(1);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
