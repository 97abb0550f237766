/**
 * `npm run build:browser`: bundles the client for browsers with esbuild.
 *
 * - `dist/browser/realtime.mjs`: an ES module (`import { RealtimeClient } from '/sdk/realtime.mjs'`);
 * - `dist/browser/realtime.js`: a script-tag bundle that defines the global `Realtime`;
 * - a source map beside each, type declarations for both, and `sizes.json` (raw and gzipped bytes).
 *
 * Both are minified, include socket.io-client, and resolve `debug` and `jose` to their browser
 * builds. A Node built-in imported from our own code fails the build with the importer's name.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** The global the script-tag bundle defines: `new Realtime.RealtimeClient(...)`. */
export const BROWSER_GLOBAL_NAME = 'Realtime';

/**
 * What the bundles should stay under, gzipped (socket.io-client included). 40 KiB until the
 * objects API, the Hivekit and deepstream dialects and the RPC clients joined the bundles (about
 * 56 KiB with them; see README "In the browser"). Issue 18 splits the dialects out.
 */
export const GZIP_BUDGET_BYTES = 64 * 1024;

/** The files a build writes, relative to its output directory. */
export const BROWSER_BUNDLE_FILES = ['realtime.mjs', 'realtime.mjs.map', 'realtime.js', 'realtime.js.map'] as const;

/** The size of one bundle. */
export interface BundleSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** What {@link buildBrowserBundles} wrote. */
export interface BrowserBuildReport {
  outDir: string;
  bundles: BundleSize[];
  budgetGzipBytes: number;
  /** Bundles whose gzipped size exceeds the budget. */
  overBudget: string[];
}

/** Options of {@link buildBrowserBundles}. */
export interface BrowserBuildOptions {
  /**
   * Where the bundles go.
   * @default '<package root>/dist/browser'
   */
  outDir?: string;
}

const ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
const ENTRY = path.join(ROOT, 'client/browser/entry.ts');

/** The default output directory, `dist/browser` of the package. */
export const DEFAULT_BROWSER_OUT_DIR = path.join(ROOT, 'dist/browser');

/**
 * Builds both bundles and reports their sizes (also written to `sizes.json`).
 *
 * @example
 * const { bundles } = await buildBrowserBundles();
 */
export async function buildBrowserBundles(options: BrowserBuildOptions = {}): Promise<BrowserBuildReport> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_BROWSER_OUT_DIR);
  await mkdir(outDir, { recursive: true });
  const version = await packageVersion();
  const common: BuildOptions = {
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    platform: 'browser',
    // The `browser` field first: debug's src/browser.js; jose and socket.io-client pick their
    // browser builds through the `browser` export condition that this platform sets.
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    target: ['es2020'],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: `/*! Realtime Platform browser SDK ${version} | MIT */` },
    legalComments: 'eof',
    logLevel: 'silent',
    plugins: [rejectNodeBuiltins],
  };
  await Promise.all([
    build({ ...common, format: 'esm', outfile: path.join(outDir, 'realtime.mjs') }),
    build({ ...common, format: 'iife', globalName: BROWSER_GLOBAL_NAME, outfile: path.join(outDir, 'realtime.js') }),
  ]);
  await writeDeclarations(outDir);

  const bundles: BundleSize[] = [];
  for (const file of ['realtime.mjs', 'realtime.js']) {
    const content = await readFile(path.join(outDir, file));
    bundles.push({ file, bytes: content.byteLength, gzipBytes: gzipSync(content, { level: 9 }).byteLength });
  }
  const report: BrowserBuildReport = {
    outDir,
    bundles,
    budgetGzipBytes: GZIP_BUDGET_BYTES,
    overBudget: bundles.filter((bundle) => bundle.gzipBytes > GZIP_BUDGET_BYTES).map((bundle) => bundle.file),
  };
  const { outDir: _omitted, ...written } = report;
  await writeFile(path.join(outDir, 'sizes.json'), `${JSON.stringify(written, null, 2)}\n`);
  return report;
}

/** The folders whose TypeScript goes into the bundles. */
const BUNDLED_SOURCE_DIRS = [path.join(ROOT, 'client'), path.join(ROOT, 'shared')];

/**
 * Builds the bundles unless every file is there and newer than every source file that goes into
 * them (what development mode does at start, so a `git pull` never leaves a stale SDK served).
 * Resolves with the report when it built, `undefined` when the bundles were current.
 *
 * @example
 * await ensureBrowserBundles();
 */
export async function ensureBrowserBundles(options: BrowserBuildOptions = {}): Promise<BrowserBuildReport | undefined> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_BROWSER_OUT_DIR);
  if (bundlesAreCurrent(outDir, BUNDLED_SOURCE_DIRS)) return undefined;
  return buildBrowserBundles({ outDir });
}

/**
 * Whether every bundle file is in `outDir` and none is older than the newest `.ts` file below
 * `sourceDirs`.
 *
 * @example
 * bundlesAreCurrent('dist/browser', ['client', 'shared']); // false after editing client/emitter.ts
 */
export function bundlesAreCurrent(outDir: string, sourceDirs: readonly string[]): boolean {
  const bundles = BROWSER_BUNDLE_FILES.map((file) => path.join(outDir, file));
  if (!bundles.every((file) => existsSync(file))) return false;
  const oldestBundle = Math.min(...bundles.map((file) => statSync(file).mtimeMs));
  for (const dir of sourceDirs) {
    for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (entry.endsWith('.ts') && statSync(path.join(dir, entry)).mtimeMs > oldestBundle) return false;
    }
  }
  return true;
}

/** One line per bundle: `realtime.mjs  61.2 KB raw, 19.4 KB gzip`. */
export function formatSizes(report: BrowserBuildReport): string {
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  return report.bundles.map(({ file, bytes, gzipBytes }) => `${file.padEnd(14)}${kb(bytes).padStart(9)} raw, ${kb(gzipBytes).padStart(8)} gzip`).join('\n');
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Our own code importing a Node built-in fails the build, naming the importer. */
const rejectNodeBuiltins: Plugin = {
  name: 'reject-node-builtins',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (!NODE_BUILTINS.has(args.path) || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return {
        errors: [
          {
            text: `${path.relative(ROOT, args.importer)} imports "${args.path}", a Node built-in: browser bundles cannot contain it. Keep server-side helpers out of client/browser/entry.ts.`,
          },
        ],
      };
    });
  },
};

/**
 * Type declarations beside the bundles: `realtime.d.mts` for the module, and `realtime.d.ts`
 * declaring the script tag's global. Both refer to the declarations `tsc` writes for the entry
 * (`npm run build` runs it first).
 */
async function writeDeclarations(outDir: string): Promise<void> {
  const entryTypes = toImportPath(path.relative(outDir, path.join(ROOT, 'dist/client/browser/entry.js')));
  await writeFile(path.join(outDir, 'realtime.d.mts'), `export * from '${entryTypes}';\n`);
  await writeFile(
    path.join(outDir, 'realtime.d.ts'),
    [
      `import type * as RealtimeSdk from '${entryTypes}';`,
      '',
      'declare global {',
      `  /** The Realtime Platform browser SDK, defined by the script tag <script src="/sdk/realtime.js">. */`,
      `  var ${BROWSER_GLOBAL_NAME}: typeof RealtimeSdk;`,
      '}',
      '',
      'export {};',
      '',
    ].join('\n'),
  );
}

function toImportPath(relative: string): string {
  const posix = relative.split(path.sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version === undefined ? '' : `v${pkg.version}`;
}

/** The nearest directory at or above `start` holding a package.json (this file may run from dist/). */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex === -1 ? undefined : process.argv[outIndex + 1];
  const report = await buildBrowserBundles(outDir === undefined ? {} : { outDir });
  process.stdout.write(`Browser bundles in ${path.relative(process.cwd(), report.outDir) || '.'}:\n${formatSizes(report)}\n`);
  if (report.overBudget.length > 0) {
    process.stdout.write(`WARNING: over the ${GZIP_BUDGET_BYTES / 1024} KB gzip budget: ${report.overBudget.join(', ')}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
