import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { diffHeapSnapshots } from '../../bench/heap-snapshot-diff.js';

/** Made between the two snapshots: 300 of them, each holding a Map and a closure. */
class HeapDiffMarker {
  readonly index = new Map<string, number>([['a', 1]]);
  readonly callback: () => number;
  constructor(readonly n: number) {
    this.callback = () => this.n + 1;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'heap-diff-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diffHeapSnapshots', () => {
  it('counts what was made between two snapshots of one process, by class and by owner', () => {
    const base = writeHeapSnapshot(join(dir, 'base.heapsnapshot'));
    const kept = Array.from({ length: 300 }, (_, n) => new HeapDiffMarker(n));
    const after = writeHeapSnapshot(join(dir, 'after.heapsnapshot'));
    const diff = diffHeapSnapshots(base, after);
    const markers = diff.byClass.find((entry) => entry.label === 'HeapDiffMarker');
    expect(markers?.count).toBe(300);
    expect(diff.byOwner.find((entry) => entry.label === 'HeapDiffMarker (itself)')?.count).toBe(300);
    // Each marker's Map, and the Map's hash table, by the path from the marker, not as a bare "Map".
    expect(diff.byOwner.find((entry) => entry.label === 'HeapDiffMarker.index')?.count).toBe(300);
    expect(diff.byOwner.find((entry) => entry.label === 'HeapDiffMarker.index.table')?.count).toBe(300);
    // The closures by function and file (the line is the transformed file's), and their contexts.
    const closure = diff.byClass.find((entry) => /^\(anonymous\)\(\) test\/unit\/bench\/heap-snapshot-diff\.test\.ts:\d+$/.test(entry.label));
    expect(closure?.count).toBe(300);
    expect(diff.byOwner.find((entry) => entry.label === `${closure?.label ?? ''}.context`)?.count).toBe(300);
    expect(diff.newBytes).toBeGreaterThan(300 * 100);
    expect(kept).toHaveLength(300);
  }, 60_000);
});
