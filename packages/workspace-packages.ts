/**
 * The published packages, as data: which source file each subpath is compiled from. The source
 * stays in `client/`, `server/` and `shared/`; `packages/build.ts` compiles these entries (and
 * whatever they import) into `packages/<dir>/dist/`, writes each package.json's `exports` and
 * `dependencies` from what the compiled files import, and builds the client's browser bundles.
 * `test/contract/packages.test.ts` packs each package and checks what a user would install.
 *
 * Adding a subpath is one line here (then `npm run build:packages`, which rewrites the
 * package.json). An entry marked `optional` is left out while its source file does not exist.
 *
 * @example
 * { subpath: './react', source: 'client/react/index.ts', optional: true }
 */

/** One module subpath of a package (`'.'`, `'./hivekit'`) and the TypeScript file behind it. */
export interface ModuleEntry {
  subpath: string;
  /** Relative to the repository root. */
  source: string;
  /**
   * Skipped (no subpath, no error) while `source` does not exist.
   * @default false
   */
  optional?: boolean;
}

/** A prebuilt browser bundle (esbuild, minified, socket.io-client included). */
export interface BundleEntry {
  subpath: string;
  /** Relative to the repository root. */
  source: string;
  /** File name in `dist/browser/`, without extension: `realtime` → `realtime.mjs`, `realtime.js`. */
  name: string;
  /**
   * Also an IIFE script-tag build (`<name>.js`) defining this global.
   * @default undefined (module only)
   */
  globalName?: string;
}

/** One workspace package. */
export interface WorkspacePackage {
  /** Folder below `packages/`. */
  dir: string;
  name: string;
  modules: ModuleEntry[];
  bundles: BundleEntry[];
  /**
   * Imported packages that become optional `peerDependencies` instead of `dependencies` (the
   * user brings them, and only for the entries that need them): React for `./react`.
   * @default []
   */
  optionalPeers?: string[];
  /**
   * Dependencies the consumer type check installs beside the package (types a user of this
   * package has anyway): Node's for the server.
   * @default []
   */
  consumerTypes?: string[];
}

/** The three packages: the client SDK, the server, and the wire contract they share. */
export const WORKSPACE_PACKAGES: readonly WorkspacePackage[] = [
  {
    dir: 'client',
    name: '@realtime-platform/client',
    modules: [
      { subpath: '.', source: 'client/index.ts' },
      { subpath: './hivekit', source: 'client/hivekit/index.ts' },
      { subpath: './deepstream', source: 'client/deepstream/index.ts' },
      { subpath: './react', source: 'client/react/index.ts', optional: true },
    ],
    bundles: [
      { subpath: './browser', source: 'client/browser/core-entry.ts', name: 'realtime', globalName: 'Realtime' },
      { subpath: './browser/hivekit', source: 'client/hivekit/index.ts', name: 'hivekit' },
      { subpath: './browser/deepstream', source: 'client/deepstream/index.ts', name: 'deepstream' },
    ],
    optionalPeers: ['react', '@types/react'],
  },
  {
    dir: 'server',
    name: '@realtime-platform/server',
    modules: [{ subpath: '.', source: 'server/index.ts' }],
    bundles: [],
    consumerTypes: ['@types/node'],
  },
  {
    dir: 'shared',
    name: '@realtime-platform/shared',
    modules: [{ subpath: '.', source: 'shared/index.ts' }],
    bundles: [],
  },
];

/**
 * Packages a client package may depend on: socket.io-client and what the client code itself
 * imports (schemas, debug logging, JWT decoding), never anything server-side.
 */
export const CLIENT_SIDE_DEPENDENCIES: ReadonlySet<string> = new Set(['socket.io-client', 'engine.io-parser', 'valibot', 'debug', '@types/debug', 'jose']);
