/**
 * `npm run build`: compiles `server/`, `client/` and `shared/` into `dist/` (JavaScript, source maps
 * and declarations, with `tsc -p tsconfig.build.json`) and bundles the browser SDK into
 * `dist/browser/` (`client/browser/build.ts`).
 *
 * `--if-stale` (what `npm start` runs first, as `prestart`) builds only when a source file is newer
 * than the last build, so `npm install && npm start` on a fresh clone needs no manual step and a
 * `git pull` never leaves stale JavaScript running. The last build is `dist/.build-stamp`, dated
 * when that build started (a file saved during the build makes the next start build again).
 *
 * Builds hold a lock (`dist/.build-lock`, naming the pid), so two at once (two test files, two
 * `npm start`s) never write `dist/` together: the second waits, then finds the build current.
 *
 * @example
 * npm run build            # always
 * npm run build -- --if-stale
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_CONFIG = path.join(ROOT, 'tsconfig.build.json');
const STAMP = path.join(ROOT, 'dist/.build-stamp');
const LOCK = path.join(ROOT, 'dist/.build-lock');
/** How long to wait for another build before giving up. */
const LOCK_TIMEOUT_MS = 300_000;

/** The folders `tsconfig.build.json` compiles (its `include`), so the check follows that file. */
function sourceDirectories(): string[] {
  const config = JSON.parse(readFileSync(BUILD_CONFIG, 'utf8')) as { include?: unknown };
  if (!Array.isArray(config.include)) throw new Error('tsconfig.build.json has no "include" list');
  return config.include.filter((entry): entry is string => typeof entry === 'string').map((entry) => path.join(ROOT, entry));
}

/** The newest modification time of the build's inputs: the sources, the TypeScript configs and package.json. */
function newestInput(): number {
  let newest = 0;
  const consider = (file: string): void => {
    newest = Math.max(newest, statSync(file).mtimeMs);
  };
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) consider(path.join(ROOT, file));
  for (const dir of sourceDirectories()) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (/\.(?:m|c)?ts$/.test(entry)) consider(path.join(dir, entry));
    }
  }
  return newest;
}

/** Whether `dist/` was built after every input last changed. */
function buildIsCurrent(): boolean {
  return existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestInput();
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status ?? result.signal)})`);
}

/** Compiles and bundles; writes the stamp, dated when the build started. */
function build(): void {
  const started = new Date();
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  if (!existsSync(tsc)) throw new Error('TypeScript is not installed (devDependencies): run `npm install` first');
  run(tsc, ['-p', BUILD_CONFIG]);
  run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'client/browser/build.ts')]);
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  utimesSync(STAMP, started, started);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` holding the build lock; a lock left by a process that is gone is taken over. */
function withLock(work: () => void): void {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(LOCK, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      // A lock just created holds no pid yet; one whose process is gone is taken over.
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) rmSync(LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`another build (pid ${holder}) holds ${LOCK}`);
      else sleep(100);
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function main(): void {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && buildIsCurrent()) return;
  withLock(() => {
    // Another process may have built while this one waited for the lock.
    if (ifStale && buildIsCurrent()) return;
    process.stdout.write('Building dist/ (npm run build)...\n');
    build();
  });
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
