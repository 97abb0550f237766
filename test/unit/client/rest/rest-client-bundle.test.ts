import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/**
 * `RealtimeRestClient` stays out of the prebuilt browser bundles, but a page bundled from
 * `realtime-platform/client` can use it: nothing it imports is Node-only.
 */
describe('the REST client in a browser bundle', () => {
  it('bundles for the browser platform without a Node built-in', async () => {
    const imported: string[] = [];
    const result = await build({
      stdin: { contents: "export { RealtimeRestClient } from './client/rest/realtime-rest-client.ts';", resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      minify: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      mainFields: ['browser', 'module', 'main'],
      conditions: ['browser'],
      logLevel: 'silent',
      plugins: [
        {
          name: 'record-imports',
          setup(pluginBuild) {
            pluginBuild.onResolve({ filter: /.*/ }, (args) => {
              if (!args.importer.includes('node_modules')) imported.push(args.path);
              return undefined;
            });
          },
        },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(imported.filter((name) => NODE_BUILTINS.has(name))).toEqual([]);
    const [output] = result.outputFiles;
    // What was bundled is the client, not an empty module.
    expect(output?.text).toContain('x-realm');
  });
});
