/**
 * The root `prepare` script (npm runs it after `npm install` and `npm ci`): builds the workspace
 * packages with `packages/build.ts`, so code in the repository can import
 * `@realtime-platform/client` right after the quick start's `npm install`.
 *
 * Plain JavaScript, not TypeScript, because it must also run where the build tools are absent:
 * an install with `--omit=dev` (a production image) has neither TypeScript nor esbuild, and there
 * it says so and succeeds instead of failing the install. `REALTIME_SKIP_PACKAGES_BUILD=1` skips
 * the build too.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const missing = ['tsx', 'typescript', 'esbuild'].filter((name) => {
  try {
    require.resolve(`${name}/package.json`);
    return false;
  } catch {
    return true;
  }
});

if (process.env.REALTIME_SKIP_PACKAGES_BUILD === '1') {
  process.stdout.write('prepare: REALTIME_SKIP_PACKAGES_BUILD=1, packages not built\n');
} else if (missing.length > 0) {
  process.stdout.write(`prepare: ${missing.join(', ')} not installed (--omit=dev?), packages not built; npm run build:packages builds them\n`);
} else {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./build.ts', import.meta.url))], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
