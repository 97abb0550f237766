/**
 * `npm run build:packages` (also run by the root `prepare` script, `prepare.mjs`, on `npm install`): builds every
 * package in {@link WORKSPACE_PACKAGES} from the source folders into `packages/<dir>/dist/`.
 *
 * For each package:
 * - `tsc` (TypeScript 7, the repository's own settings) emits JavaScript and declarations for
 *   the entries and everything they import, with no source maps (the sources are not shipped, so
 *   maps would point at nothing);
 * - esbuild writes the browser bundles, minified, with the browser builds of their dependencies;
 * - its package.json gets `exports` from the entries and `dependencies` from the bare imports of
 *   the emitted files (with the ranges of the root package.json), so a dependency can be neither
 *   missing nor left over; and the root LICENSE is copied in.
 *
 * `--only client,shared` builds some of them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { importSpecifiers } from './import-specifiers.js';
import { WORKSPACE_PACKAGES, type BundleEntry, type ModuleEntry, type WorkspacePackage } from './workspace-packages.js';

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A package's folder: `packages/client`. */
export function packageDir(pkg: WorkspacePackage): string {
  return path.join(REPO_ROOT, 'packages', pkg.dir);
}

/** The entries whose source exists (optional ones without a file are left out). */
export function presentModules(pkg: WorkspacePackage): ModuleEntry[] {
  return pkg.modules.filter((entry) => entry.optional !== true || existsSync(path.join(REPO_ROOT, entry.source)));
}

/** `client/hivekit/index.ts` → `./dist/client/hivekit/index` (what tsc writes for it). */
function emittedBase(source: string): string {
  return `./dist/${source.replace(/\.ts$/, '')}`;
}

/** The `exports` map a package.json gets from the entries. */
export function exportsFor(pkg: WorkspacePackage): Record<string, { types: string; import: string } | string> {
  const exports: Record<string, { types: string; import: string } | string> = {};
  for (const entry of presentModules(pkg)) {
    const base = emittedBase(entry.source);
    exports[entry.subpath] = { types: `${base}.d.ts`, import: `${base}.js` };
  }
  for (const bundle of pkg.bundles) {
    exports[bundle.subpath] = { types: `./dist/browser/${bundle.name}.d.mts`, import: `./dist/browser/${bundle.name}.mjs` };
  }
  exports['./package.json'] = './package.json';
  return exports;
}

/** What one package build wrote. */
export interface PackageBuildReport {
  name: string;
  files: number;
  dependencies: Record<string, string>;
  bundles: { file: string; bytes: number; gzipBytes: number }[];
}

/** Options of {@link buildPackage}. */
export interface PackageBuildOptions {
  /**
   * The package folder to write (its package.json and README are copied there first), so a test
   * can build and pack without touching the installed build.
   * @default packages/<dir>
   */
  into?: string;
}

/**
 * Builds one package.
 *
 * @example
 * await buildPackage(WORKSPACE_PACKAGES[0]);
 */
export async function buildPackage(pkg: WorkspacePackage, options: PackageBuildOptions = {}): Promise<PackageBuildReport> {
  const dir = path.resolve(options.into ?? packageDir(pkg));
  if (dir !== packageDir(pkg)) {
    await mkdir(dir, { recursive: true });
    for (const file of ['package.json', 'README.md']) await copyFile(path.join(packageDir(pkg), file), path.join(dir, file));
  }
  const outDir = path.join(dir, 'dist');
  await rm(outDir, { recursive: true, force: true });

  const sources = [...presentModules(pkg).map((entry) => entry.source), ...pkg.bundles.map((bundle) => bundle.source)];
  compile(
    [...new Set(sources)].map((source) => path.join(REPO_ROOT, source)),
    outDir,
  );
  const bundles = [];
  for (const bundle of pkg.bundles) bundles.push(...(await buildBundle(bundle, outDir)));

  const emitted = await listFiles(outDir);
  // The bundles import nothing (their dependencies are inside); the rest is what tsc wrote.
  const bundleDir = path.join(outDir, 'browser') + path.sep;
  const imported = await bareImports(emitted.filter((file) => !file.startsWith(bundleDir)));
  const peers = new Set(pkg.optionalPeers ?? []);
  const dependencies = await dependencyRanges(new Set([...imported].filter((name) => !peers.has(name))));
  const peerDependencies = await dependencyRanges(new Set([...imported].filter((name) => peers.has(name))), 'peer');
  await writeManifest(pkg, dir, dependencies, peerDependencies);
  await copyFile(path.join(REPO_ROOT, 'LICENSE'), path.join(dir, 'LICENSE'));
  return { name: pkg.name, files: emitted.length, dependencies, bundles };
}

/** TypeScript 7's `tsc` (a launcher of its native compiler; TypeScript 7 has no compiler API). */
const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * tsc with the repository's settings, writing JavaScript and declarations for `rootNames` (and
 * what they import) into `outDir`: a temporary tsconfig extends the root one and names the entries.
 */
function compile(rootNames: string[], outDir: string): void {
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'rt-packages-tsconfig-'));
  const configPath = path.join(configDir, 'tsconfig.json');
  const config = {
    extends: path.join(REPO_ROOT, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false,
      declaration: true,
      declarationMap: false,
      sourceMap: false,
      inlineSourceMap: false,
      incremental: false,
      rootDir: REPO_ROOT,
      outDir,
    },
    files: rootNames,
    include: [],
  };
  try {
    writeFileSync(configPath, JSON.stringify(config));
    const result = spawnSync(process.execPath, [TSC, '-p', configPath, '--pretty', 'false'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tsc failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** One browser bundle (an ES module, and a script-tag build when it names a global) and its types. */
async function buildBundle(bundle: BundleEntry, outDir: string): Promise<PackageBuildReport['bundles']> {
  const browserDir = path.join(outDir, 'browser');
  await mkdir(browserDir, { recursive: true });
  const formats: { format: 'esm' | 'iife'; file: string }[] = [{ format: 'esm', file: `${bundle.name}.mjs` }];
  if (bundle.globalName !== undefined) formats.push({ format: 'iife', file: `${bundle.name}.js` });
  const written = [];
  for (const { format, file } of formats) {
    const outfile = path.join(browserDir, file);
    await build({
      entryPoints: [path.join(REPO_ROOT, bundle.source)],
      bundle: true,
      minify: true,
      platform: 'browser',
      // As client/browser/build.ts: the `browser` field first (debug's browser build), and the
      // `browser` condition for jose and socket.io-client.
      mainFields: ['browser', 'module', 'main'],
      conditions: ['browser'],
      target: ['es2020'],
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'eof',
      logLevel: 'silent',
      format,
      ...(format === 'iife' ? { globalName: bundle.globalName } : {}),
      outfile,
    });
    const content = await readFile(outfile);
    written.push({ file, bytes: content.byteLength, gzipBytes: gzipSync(content, { level: 9 }).byteLength });
  }
  const types = `../${bundle.source.replace(/\.ts$/, '.js')}`;
  await writeFile(path.join(browserDir, `${bundle.name}.d.mts`), `export * from '${types}';\n`);
  if (bundle.globalName !== undefined) {
    await writeFile(
      path.join(browserDir, `${bundle.name}.d.ts`),
      `import type * as Sdk from '${types}';\n\ndeclare global {\n  /** Defined by the script tag that loads dist/browser/${bundle.name}.js. */\n  var ${bundle.globalName}: typeof Sdk;\n}\n\nexport {};\n`,
    );
  }
  return written;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** `jose` → `jose`, `ajv/dist/2020.js` → `ajv`, `@types/x/y` → `@types/x`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * The packages the emitted files import, and for declaration files importing a package that has
 * no types of its own, its `@types/` package.
 */
async function bareImports(files: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of files) {
    if (!/\.(m?js|d\.m?ts)$/.test(file)) continue;
    const text = await readFile(file, 'utf8');
    // Import specifiers in comments (JSDoc examples) do not count.
    for (const specifier of importSpecifiers(text)) {
      if (specifier.startsWith('.') || NODE_BUILTINS.has(specifier)) continue;
      const name = packageNameOf(specifier);
      names.add(name);
      if (file.endsWith('.d.ts') && !(await hasOwnTypes(name))) names.add(`@types/${name.replace(/^@([^/]+)\//, '$1__')}`);
    }
  }
  return names;
}

async function hasOwnTypes(name: string): Promise<boolean> {
  const manifest = await readJson(path.join(REPO_ROOT, 'node_modules', name, 'package.json'));
  if (manifest.types !== undefined || manifest.typings !== undefined) return true;
  const exported = JSON.stringify(manifest.exports ?? {});
  return exported.includes('"types"') || existsSync(path.join(REPO_ROOT, 'node_modules', name, 'index.d.ts'));
}

/**
 * The root package.json's range for each name (its `peerDependencies` range first for a peer), or
 * `^<installed version>` for a transitive one.
 */
async function dependencyRanges(names: Set<string>, kind: 'dependency' | 'peer' = 'dependency'): Promise<Record<string, string>> {
  const root = await readJson(path.join(REPO_ROOT, 'package.json'));
  const ranges: Record<string, string> = {
    ...(root.devDependencies ?? {}),
    ...(root.dependencies ?? {}),
    ...(kind === 'peer' ? (root.peerDependencies ?? {}) : {}),
  };
  const result: Record<string, string> = {};
  for (const name of [...names].sort()) {
    const range = ranges[name];
    if (range !== undefined) {
      result[name] = range;
      continue;
    }
    const installed = await readJson(path.join(REPO_ROOT, 'node_modules', name, 'package.json'));
    if (installed.version === undefined) throw new Error(`${name} is imported but not installed`);
    result[name] = `^${installed.version}`;
  }
  return result;
}

interface Manifest {
  version?: string;
  types?: string;
  typings?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

async function readJson(file: string): Promise<Manifest> {
  return JSON.parse(await readFile(file, 'utf8')) as Manifest;
}

/**
 * Rewrites `exports`, `dependencies`, optional `peerDependencies` (left out when there are none)
 * and `version` (the root's) of the package's package.json.
 */
async function writeManifest(
  pkg: WorkspacePackage,
  dir: string,
  dependencies: Record<string, string>,
  peerDependencies: Record<string, string>,
): Promise<void> {
  const file = path.join(dir, 'package.json');
  const { peerDependencies: _peers, peerDependenciesMeta: _meta, ...manifest } = await readJson(file);
  const root = await readJson(path.join(REPO_ROOT, 'package.json'));
  const peers =
    Object.keys(peerDependencies).length === 0
      ? {}
      : { peerDependencies, peerDependenciesMeta: Object.fromEntries(Object.keys(peerDependencies).map((name) => [name, { optional: true }])) };
  const next: Manifest = { ...manifest, version: root.version, exports: exportsFor(pkg), dependencies, ...peers };
  const text = `${JSON.stringify(next, null, 2)}\n`;
  if (text !== (await readFile(file, 'utf8'))) await writeFile(file, text);
}

async function main(): Promise<void> {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex === -1 ? undefined : new Set((process.argv[onlyIndex + 1] ?? '').split(','));
  for (const pkg of WORKSPACE_PACKAGES) {
    if (only !== undefined && !only.has(pkg.dir)) continue;
    const report = await buildPackage(pkg);
    const bundles = report.bundles.map((b) => `${b.file} ${(b.gzipBytes / 1024).toFixed(1)} KB gzip`).join(', ');
    process.stdout.write(`${report.name}: ${report.files} files${bundles === '' ? '' : `; ${bundles}`}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
