/**
 * `npm run sizes:packages`: measures what the packages cost a user and writes the "Package sizes"
 * section of BENCHMARKS.md (between its markers; `npm run bench` keeps the section when it
 * rewrites the rest, see {@link withPackageSizes}).
 *
 * - packed and unpacked size of each tarball (`npm pack --dry-run --json`);
 * - what installing a package pulls in: its dependencies, transitively, as installed in this
 *   repository's node_modules (count and bytes on disk), against the old single package (the root
 *   `realtime-platform`, every runtime dependency);
 * - the browser bundles, minified and gzipped (level 9), against socket.io-client alone;
 * - what a bundler keeps of the client for `import { isTokenExpired }` alone.
 *
 * Run `npm run build:packages` first (`npm install` does).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { insertSection, SECTION_END, SECTION_START } from './benchmarks-section.js';
import { packageDir, REPO_ROOT } from './build.js';
import { WORKSPACE_PACKAGES } from './workspace-packages.js';

const run = promisify(execFile);

interface Tree {
  packages: number;
  bytes: number;
}

/** The dependencies of `dependencies`, transitively, resolved as Node would from `fromDir`. */
async function installedTree(dependencies: string[], fromDir: string): Promise<Tree> {
  const seen = new Set<string>();
  let bytes = 0;
  const visit = async (name: string, from: string): Promise<void> => {
    const dir = resolvePackageDir(name, from);
    if (dir === undefined || seen.has(dir)) return;
    seen.add(dir);
    bytes += await directoryBytes(dir);
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const next = { ...(manifest.dependencies ?? {}), ...(manifest.optionalDependencies ?? {}) };
    for (const child of Object.keys(next)) await visit(child, dir);
  };
  for (const name of dependencies) await visit(name, fromDir);
  return { packages: seen.size, bytes };
}

function resolvePackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Bytes of the files below `dir`, nested node_modules excepted (they are counted as packages). */
async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

async function dependenciesOf(dir: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(manifest.dependencies ?? {});
}

/** Minified and gzipped size of a browser bundle of `source` (esbuild, as the packages build). */
async function bundleSize(contents: string, resolveDir: string): Promise<{ bytes: number; gzipBytes: number }> {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    minify: true,
    write: false,
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    target: ['es2020'],
    format: 'esm',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { bytes: output.byteLength, gzipBytes: gzipSync(output, { level: 9 }).byteLength };
}

/** Issue 18: the core browser bundle, socket.io-client included, at most 18 KB gzipped. */
const CORE_BUNDLE_GOAL_GZIP_BYTES = 18 * 1024;

/** Groups of the core bundle's inputs, first match wins. */
const COMPOSITION: readonly [string, RegExp][] = [
  ['socket.io-client, engine.io-client and their parsers', /node_modules\/(socket\.io|engine\.io|@socket\.io)/],
  ['valibot', /node_modules\/valibot\//],
  ['debug and ms', /node_modules\/(debug|ms)\//],
  ['jose (`decodeJwt`)', /node_modules\/jose\//],
  ['request schemas (`shared/schemas/`)', /^shared\/schemas\//],
  ['rest of `shared/` (errors, filters, ids, protocol constants)', /^shared\//],
  ['objects, areas, realms, feeds, pub/sub (`client/objects/`)', /^client\/objects\//],
  ['RPC, listening, user presence, record subscriptions', /^client\/(rpc|listen|user-presence|record-subscription)/],
  ['sync documents, merge strategies, offline writes', /^client\/(sync|document-watcher|merge-strategy|offline-write|json-equal)/],
  ['client core (connection, subscriptions, requests, batching, heartbeats, options)', /^client\//],
];

/** Minified bytes per part of a browser bundle of `source`, largest first. */
async function bundleComposition(source: string): Promise<[string, number][]> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, source)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    target: ['es2020'],
    format: 'esm',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const totals = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const part = COMPOSITION.find(([, pattern]) => pattern.test(input))?.[0] ?? 'other';
      totals.set(part, (totals.get(part) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

async function fileSize(file: string): Promise<{ bytes: number; gzipBytes: number }> {
  const content = await readFile(file);
  return { bytes: content.byteLength, gzipBytes: gzipSync(content, { level: 9 }).byteLength };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const packagesCount = (count: number): string => `${count} ${count === 1 ? 'package' : 'packages'}`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Measures everything and returns the Markdown section (markers included). */
export async function measurePackageSizes(): Promise<string> {
  const lines: string[] = [SECTION_START, '## Package sizes', ''];
  lines.push(
    `Measured by \`npm run sizes:packages\` (code in [packages/sizes.ts](packages/sizes.ts)) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}. Gzip is level 9; "installs" counts the package's dependencies, transitively, as installed in this repository (bytes on disk, the package itself excluded).`,
    '',
    '| Package | Packed | Unpacked | Files | Installs |',
    '|---|---:|---:|---:|---:|',
  );
  for (const pkg of WORKSPACE_PACKAGES) {
    const dir = packageDir(pkg);
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: dir });
    const [packed] = JSON.parse(stdout) as { size: number; unpackedSize: number; entryCount: number }[];
    if (packed === undefined) throw new Error(`npm pack printed nothing for ${pkg.name}`);
    const tree = await installedTree(await dependenciesOf(dir), dir);
    lines.push(
      `| \`${pkg.name}\` | ${kb(packed.size)} | ${kb(packed.unpackedSize)} | ${packed.entryCount} | ${packagesCount(tree.packages)}, ${mb(tree.bytes)} |`,
    );
  }
  const rootTree = await installedTree(await dependenciesOf(REPO_ROOT), REPO_ROOT);
  lines.push(
    `| before: \`realtime-platform\` (one package, every runtime dependency) | | | | ${packagesCount(rootTree.packages)}, ${mb(rootTree.bytes)} |`,
    '',
  );

  lines.push('| Browser bundle (minified, socket.io-client included) | Raw | Gzip |', '|---|---:|---:|');
  const client = WORKSPACE_PACKAGES.find((pkg) => pkg.dir === 'client');
  if (client === undefined) throw new Error('no client package');
  for (const bundle of client.bundles) {
    const size = await fileSize(path.join(packageDir(client), 'dist/browser', `${bundle.name}.mjs`));
    lines.push(`| \`@realtime-platform/client${bundle.subpath.slice(1)}\` (\`${bundle.name}.mjs\`) | ${kb(size.bytes)} | ${kb(size.gzipBytes)} |`);
  }
  const full = await bundleSize("export * from './client/browser/entry.ts';", REPO_ROOT);
  lines.push(
    `| before: everything in one bundle (\`client/browser/entry.ts\`, still the server's \`/sdk/realtime.mjs\`) | ${kb(full.bytes)} | ${kb(full.gzipBytes)} |`,
  );
  const socketIo = await bundleSize("export { io } from 'socket.io-client';", REPO_ROOT);
  lines.push(`| for scale: socket.io-client alone (\`export { io }\`) | ${kb(socketIo.bytes)} | ${kb(socketIo.gzipBytes)} |`, '');

  const core = client.bundles.find((bundle) => bundle.subpath === './browser');
  if (core !== undefined) {
    const parts = await bundleComposition(core.source);
    const total = parts.reduce((sum, [, bytes]) => sum + bytes, 0);
    const built = await fileSize(path.join(packageDir(client), 'dist/browser', `${core.name}.mjs`));
    lines.push(
      `Issue 18's goal for \`./browser\` is ${kb(CORE_BUNDLE_GOAL_GZIP_BYTES)} gzipped with socket.io-client; it is ${kb(built.gzipBytes)}, ${kb(built.gzipBytes - CORE_BUNDLE_GOAL_GZIP_BYTES)} over.`,
      '',
      `What it is made of (minified bytes each part contributes, from esbuild's metafile; the whole gzips ${(built.bytes / built.gzipBytes).toFixed(1)}× smaller):`,
      '',
      '| Part | Minified | Share |',
      '|---|---:|---:|',
      ...parts.map(([part, bytes]) => `| ${part} | ${kb(bytes)} | ${((100 * bytes) / total).toFixed(0)}% |`),
      '',
    );
  }

  // Resolved through node_modules/@realtime-platform/client, the workspace link to the built package.
  const shaken = await bundleSize("export { isTokenExpired } from '@realtime-platform/client';", REPO_ROOT);
  lines.push(
    `\`import { isTokenExpired } from '@realtime-platform/client'\` alone, bundled: ${kb(shaken.bytes)} raw, ${kb(shaken.gzipBytes)} gzip (the package declares \`sideEffects: false\`).`,
  );
  lines.push(SECTION_END);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const section = await measurePackageSizes();
  const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
  await writeFile(file, insertSection(await readFile(file, 'utf8'), section));
  process.stdout.write(`${section}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
