import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROWSER_BUNDLE_FILES, bundlesAreCurrent } from '../../client/browser/build.js';

/** `npm start` rebuilds the browser SDK when it is missing or older than the code it bundles. */
describe('bundlesAreCurrent', () => {
  let root: string;
  let outDir: string;
  let sources: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'bundles-'));
    outDir = path.join(root, 'dist');
    sources = path.join(root, 'client');
    await mkdir(path.join(sources, 'deep'), { recursive: true });
    await mkdir(outDir);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const at = (seconds: number) => new Date(seconds * 1000);
  async function write(file: string, seconds: number): Promise<void> {
    await writeFile(file, '');
    await utimes(file, at(seconds), at(seconds));
  }

  it('is false while a bundle file is missing', async () => {
    await write(path.join(sources, 'a.ts'), 100);
    for (const file of BROWSER_BUNDLE_FILES.slice(1)) await write(path.join(outDir, file), 200);
    expect(bundlesAreCurrent(outDir, [sources])).toBe(false);
  });

  it('is true when every bundle is newer than every source, and false once a nested source is edited', async () => {
    await write(path.join(sources, 'a.ts'), 100);
    await write(path.join(sources, 'deep', 'b.ts'), 150);
    for (const file of BROWSER_BUNDLE_FILES) await write(path.join(outDir, file), 200);
    expect(bundlesAreCurrent(outDir, [sources])).toBe(true);
    await write(path.join(sources, 'deep', 'b.ts'), 300);
    expect(bundlesAreCurrent(outDir, [sources])).toBe(false);
  });

  it('ignores files that are not TypeScript (the demo is served as it is)', async () => {
    for (const file of BROWSER_BUNDLE_FILES) await write(path.join(outDir, file), 200);
    await write(path.join(sources, 'demo.js'), 300);
    expect(bundlesAreCurrent(outDir, [sources])).toBe(true);
  });
});
