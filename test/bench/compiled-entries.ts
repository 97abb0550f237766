import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
/** Where the compiled entries go (`outDir` of test/bench/tsconfig.json), mirroring the repository's folders. */
const BUILD_DIR = fileURLToPath(new URL('../../.cache/bench-build/', import.meta.url));

let compiled = false;

/**
 * Compiles the benchmark's child entries (`*-entry.ts`, and the server, client and shared code
 * they import) to JavaScript with tsc, once per run, into `.cache/bench-build/`.
 *
 * Why: the processes under test run plain JavaScript, as `npm start` runs `dist/`. Under tsx
 * every file is transpiled by esbuild with `keepNames`, which wraps each named function created at
 * run time in a `__name()` call (an `Object.defineProperty`): code a user never runs, paid per
 * closure in the hot path, and only by our server (the bare baseline's hot path is in
 * node_modules, which tsx leaves alone).
 *
 * @example
 * compileBenchEntries(); // then: node .cache/bench-build/test/bench/server-entry.js
 */
export function compileBenchEntries(): void {
  if (compiled) return;
  const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));
  if (!existsSync(tsc)) throw new Error('TypeScript is not installed (devDependencies): run `npm install` first');
  const result = spawnSync(tsc, ['-p', CONFIG], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`tsc -p ${CONFIG} failed (exit ${String(result.status ?? result.signal)})`);
  compiled = true;
}

/**
 * The compiled file of a child entry of this folder, compiling first if this process has not.
 *
 * @example
 * compiledEntry('server-entry.ts'); // '/…/.cache/bench-build/test/bench/server-entry.js'
 */
export function compiledEntry(entry: string): string {
  compileBenchEntries();
  return `${BUILD_DIR}test/bench/${entry.replace(/\.ts$/, '.js')}`;
}
