import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, exportsFor, packageDir, presentModules, REPO_ROOT } from '../../packages/build.js';
import { CLIENT_SIDE_DEPENDENCIES, WORKSPACE_PACKAGES, type WorkspacePackage } from '../../packages/workspace-packages.js';
import { createConsumer, npmPack, type ConsumerProject, type PackResult } from '../support/package-consumer.js';

/**
 * What a user installs: each workspace package is built from the source, packed with `npm pack`,
 * and installed from its tarball into a project that has nothing else (see package-consumer.ts).
 * publint and attw run in CI as `npm run check:packages`.
 */
const run = promisify(execFile);
const REPO_NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
const TSC = path.join(REPO_NODE_MODULES, 'typescript/bin/tsc');
/** A type check of a package's declarations, node_modules' included, takes seconds; more on a loaded machine. */
const TYPE_CHECK_TIMEOUT_MS = 120_000;

/** Dependencies no client package may pull in: the server side and the development tools. */
const SERVER_SIDE = ['express', 'mongodb', 'ioredis', 'socket.io', 'engine.io', 'pino', 'tsx', 'esbuild', 'ajv', 'zod'];

interface Packed {
  pkg: WorkspacePackage;
  manifestBefore: string;
  manifestAfter: string;
  pack: PackResult;
  tarball: string;
}

let packDir: string;
const packed = new Map<string, Packed>();
const consumers: ConsumerProject[] = [];

beforeAll(async () => {
  packDir = await mkdtemp(path.join(os.tmpdir(), 'rt-pack-'));
  for (const pkg of WORKSPACE_PACKAGES) {
    // Built into a copy of the package folder: the installed build (packages/<dir>/dist, which
    // other tests import) stays as it is while this one runs.
    const into = path.join(packDir, 'build', pkg.dir);
    await buildPackage(pkg, { into });
    const manifestBefore = await readFile(path.join(packageDir(pkg), 'package.json'), 'utf8');
    const manifestAfter = await readFile(path.join(into, 'package.json'), 'utf8');
    const pack = await npmPack(into, packDir);
    packed.set(pkg.dir, { pkg, manifestBefore, manifestAfter, pack, tarball: path.join(packDir, pack.filename) });
  }
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.remove();
  await rm(packDir, { recursive: true, force: true });
});

function packedOf(dir: string): Packed {
  const result = packed.get(dir);
  if (result === undefined) throw new Error(`${dir} was not packed`);
  return result;
}

async function consumerOf(pkg: WorkspacePackage): Promise<ConsumerProject> {
  const { tarball } = packedOf(pkg.dir);
  const consumer = await createConsumer([{ name: pkg.name, tarball }], REPO_NODE_MODULES, pkg.consumerTypes ?? []);
  consumers.push(consumer);
  return consumer;
}

/** Every subpath a user can import (module entries and bundles), without `./package.json`. */
function importableSubpaths(pkg: WorkspacePackage): string[] {
  return Object.keys(exportsFor(pkg)).filter((subpath) => subpath !== './package.json');
}

function specifier(pkg: WorkspacePackage, subpath: string): string {
  return subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
}

describe.each(WORKSPACE_PACKAGES.map((pkg) => [pkg.name, pkg] as const))('%s', (_name, pkg) => {
  it('has a committed package.json that matches what the build derives (exports, dependencies)', () => {
    const { manifestBefore, manifestAfter } = packedOf(pkg.dir);
    expect(manifestBefore, 'run npm run build:packages, commit packages/*/package.json (npm install updates the lockfile)').toBe(manifestAfter);
  });

  it('packs its dist, README and LICENSE, and no sources, tests or source maps', async () => {
    const { pack } = packedOf(pkg.dir);
    const files = pack.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    const stray = files.filter((file) => !['package.json', 'README.md', 'LICENSE'].includes(file) && !file.startsWith('dist/'));
    expect(stray).toEqual([]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => /(^|\/)test\/|\.test\./.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.d.mts'))).toEqual([]);
    for (const target of Object.values(exportsFor(pkg)).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)))) {
      expect(files, `export target ${target}`).toContain(target.replace(/^\.\//, ''));
    }
    const consumer = await consumerOf(pkg);
    for (const file of files.filter((name) => /\.(m?js|d\.m?ts)$/.test(name))) {
      const text = await readFile(path.join(consumer.dir, 'node_modules', pkg.name, file), 'utf8');
      expect(text, `${file} refers to a source map`).not.toMatch(/sourceMappingURL=/);
    }
  });

  it('loads every entry in Node.js with only its declared dependencies installed', async () => {
    const consumer = await consumerOf(pkg);
    const modules = presentModules(pkg).map((entry) => specifier(pkg, entry.subpath));
    const script = `for (const name of ${JSON.stringify(modules)}) { const m = await import(name); if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing'); }`;
    await expect(run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer.dir })).resolves.toBeDefined();
  }, 60_000);

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ] as const)(
    'type-checks every entry with skipLibCheck: false and %s resolution',
    async (_resolution, resolution) => {
      const consumer = await consumerOf(pkg);
      const subpaths = importableSubpaths(pkg);
      const lines = subpaths.map((subpath, i) => `import * as entry${i} from '${specifier(pkg, subpath)}';`);
      lines.push(`export const entries = [${subpaths.map((_s, i) => `entry${i}`).join(', ')}];`);
      await writeFile(path.join(consumer.dir, 'index.ts'), `${lines.join('\n')}\n`);
      const types = (pkg.consumerTypes ?? []).map((name) => name.replace(/^@types\//, ''));
      const tsconfig = {
        compilerOptions: { ...resolution, target: 'ES2022', lib: ['ES2023', 'DOM'], strict: true, skipLibCheck: false, noEmit: true, types },
        files: ['index.ts'],
      };
      await writeFile(path.join(consumer.dir, 'tsconfig.json'), JSON.stringify(tsconfig));
      const result = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: consumer.dir }).catch((err: { stdout?: string }) => err);
      expect('stdout' in result ? result.stdout : '').toBe('');
    },
    TYPE_CHECK_TIMEOUT_MS,
  );
});

describe('@realtime-platform/client', () => {
  const client = WORKSPACE_PACKAGES.find((pkg) => pkg.dir === 'client');
  if (client === undefined) throw new Error('no client package');

  it('depends on socket.io-client and nothing server-side, and declares sideEffects: false', async () => {
    const manifest = JSON.parse(await readFile(path.join(packageDir(client), 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      sideEffects: unknown;
      peerDependencies?: Record<string, string>;
    };
    const dependencies = Object.keys(manifest.dependencies);
    expect(dependencies).toContain('socket.io-client');
    expect(dependencies.filter((name) => !CLIENT_SIDE_DEPENDENCIES.has(name))).toEqual([]);
    expect(dependencies.filter((name) => SERVER_SIDE.includes(name))).toEqual([]);
    expect(manifest.sideEffects).toBe(false);
  });

  it('lets a bundler drop everything but the token helper when only isTokenExpired is imported', async () => {
    const consumer = await consumerOf(client);
    await writeFile(path.join(consumer.dir, 'token-only.js'), "import { isTokenExpired } from '@realtime-platform/client';\nconsole.log(isTokenExpired);\n");
    const result = await build({
      entryPoints: [path.join(consumer.dir, 'token-only.js')],
      absWorkingDir: consumer.dir,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
    });
    // What ends up in the output (the metafile's inputs list every file parsed, shaken or not).
    const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, use]) => use.bytesInOutput > 0)
        .map(([input]) => input),
    );
    expect(inputs.filter((input) => input.includes('socket.io-client') || input.includes('valibot'))).toEqual([]);
    expect(inputs.some((input) => input.includes('token-helpers.js'))).toBe(true);
  });
});
