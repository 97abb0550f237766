/**
 * A throwaway project that installs packed workspace packages the way a user's would: each
 * tarball from `npm pack` extracted into `node_modules/`, and beside it only the packages' declared
 * dependencies and peer dependencies (linked from the repository's node_modules, so no network). Code in the project
 * that imports something a package uses but does not declare fails to resolve, as it would after
 * `npm install` in an empty folder.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What `npm pack --json` reports for one package. */
export interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/**
 * Packs the package in `packageDir` into `destination` and returns npm's report.
 *
 * @example
 * const packed = await npmPack('packages/client', tmp);
 */
export async function npmPack(packageDir: string, destination: string): Promise<PackResult> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: packageDir });
  const [result] = JSON.parse(stdout) as PackResult[];
  if (result === undefined) throw new Error(`npm pack printed nothing in ${packageDir}`);
  return result;
}

/** A consumer project and how to remove it. */
export interface ConsumerProject {
  dir: string;
  remove(): Promise<void>;
}

/**
 * Creates a project in a temporary folder with the given tarballs installed and their
 * dependencies (plus `extra`, e.g. `@types/node`) linked from `repoNodeModules`.
 *
 * @example
 * const project = await createConsumer([packed], path.resolve('node_modules'), []);
 */
export async function createConsumer(
  tarballs: readonly { name: string; tarball: string }[],
  repoNodeModules: string,
  extra: readonly string[],
): Promise<ConsumerProject> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rt-consumer-'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const linked = new Set<string>();
  const link = async (name: string): Promise<void> => {
    if (linked.has(name) || tarballs.some((t) => t.name === name)) return;
    linked.add(name);
    const target = path.join(dir, 'node_modules', name);
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(path.join(repoNodeModules, name), target, 'dir');
  };
  for (const { name, tarball } of tarballs) {
    const target = path.join(dir, 'node_modules', name);
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    const manifest = JSON.parse(await readFile(path.join(target, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    // Peers too: a user of the entry that needs one (React for ./react) has it installed.
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) await link(dependency);
  }
  for (const name of extra) await link(name);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
