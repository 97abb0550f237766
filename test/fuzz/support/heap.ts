import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = () => void;

let collect: Collect | undefined;

/**
 * A full garbage collection, without starting Node with `--expose-gc`: the flag is switched on
 * at run time and a fresh context hands out its `gc` (works on Node 20+).
 */
function garbageCollector(): Collect {
  if (collect !== undefined) return collect;
  const existing = (globalThis as { gc?: Collect }).gc;
  if (typeof existing === 'function') {
    collect = existing;
    return collect;
  }
  setFlagsFromString('--expose-gc');
  collect = runInNewContext('gc') as Collect;
  return collect;
}

/**
 * Heap in use after full collections, bytes: what the process retains, not what it happened to
 * allocate last. Waits a few turns between collections so that closed sockets and finished
 * requests release what they hold.
 *
 * @example
 * const before = await retainedHeapBytes();
 */
export async function retainedHeapBytes(): Promise<number> {
  const gc = garbageCollector();
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** `bytes` in MiB with one decimal, for messages. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
