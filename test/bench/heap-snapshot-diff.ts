import { readFileSync } from 'node:fs';

/**
 * Attributes the objects a V8 heap snapshot holds that an earlier snapshot of the same process did
 * not (heap object ids are stable within a process) to what made them, per connection: by class
 * (a closure by its function and source line) and by owner (the path from the nearest object with a
 * class of its own, e.g. `Socket.data.principal`).
 *
 * Why this exists: `process.memoryUsage()` says how much an idle connection costs, not where it
 * goes. DevTools' "objects allocated between snapshots" view does, but only by hand and not in a
 * form a commit or BENCHMARKS.md can quote; this prints the same comparison as a table.
 *
 * How owners are found: a breadth-first walk from the snapshot's root over strong edges gives every
 * object its shortest retaining path (DevTools' "distance"); an object's owner is the closest
 * ancestor on that path whose class is not a generic container (Object, Array, Map, Set, V8's
 * internal arrays and contexts), and the label is that ancestor's class plus the first three edge
 * names below it. Self sizes are summed (each byte counted once), so the owner table adds up to the
 * total growth of the snapshot.
 *
 * @example
 * const diff = diffHeapSnapshots('/tmp/base.heapsnapshot', '/tmp/after.heapsnapshot');
 * printHeapDiff(diff, 5000, 30);
 */
export interface HeapDiff {
  /** Self size of every object in the later snapshot that the earlier one did not have, bytes. */
  newBytes: number;
  newObjects: number;
  byClass: HeapDiffEntry[];
  byOwner: HeapDiffEntry[];
}

/** One line of a {@link HeapDiff} table. */
export interface HeapDiffEntry {
  label: string;
  count: number;
  bytes: number;
}

/** The parts of a `.heapsnapshot` this reads. */
interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
      location_fields?: string[];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations?: number[];
}

/** Class names that say nothing about who made an object: its owner is looked for further up. */
const GENERIC = new Set([
  'Object',
  'Array',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Promise',
  '(object properties)',
  '(object elements)',
  '(internal array)',
  '(map descriptors)',
  '(code relocation info)',
  '(system)',
]);

/**
 * Reads a snapshot's node ids only (enough to know what existed before).
 *
 * @example
 * const before = snapshotIds('/tmp/base.heapsnapshot');
 */
export function snapshotIds(path: string): Set<number> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const width = fields.length;
  const idAt = fields.indexOf('id');
  const ids = new Set<number>();
  for (let i = idAt; i < raw.nodes.length; i += width) ids.add(raw.nodes[i] as number);
  return ids;
}

/**
 * Compares `afterPath` with `basePath` (two snapshots of one process): what is new, by class and
 * by owner, largest first.
 *
 * @example
 * const { byOwner } = diffHeapSnapshots('/tmp/base.heapsnapshot', '/tmp/after.heapsnapshot');
 */
export function diffHeapSnapshots(basePath: string, afterPath: string): HeapDiff {
  const before = snapshotIds(basePath);
  const raw = JSON.parse(readFileSync(afterPath, 'utf8')) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const [TYPE, NAME, ID, SIZE, EDGES] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((field) => meta.node_fields.indexOf(field)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const [EDGE_TYPE, EDGE_NAME, EDGE_TO] = ['type', 'name_or_index', 'to_node'].map((field) => meta.edge_fields.indexOf(field)) as [number, number, number];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = raw;
  const count = nodes.length / nodeWidth;

  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n += 1) {
    firstEdge[n] = e;
    e += (nodes[n * nodeWidth + EDGES] as number) * edgeWidth;
    firstEdge[n + 1] = e;
  }
  const type = (n: number): string => nodeTypes[nodes[n * nodeWidth + TYPE] as number] ?? '?';
  const name = (n: number): string => strings[nodes[n * nodeWidth + NAME] as number] ?? '?';
  const edgeName = (e: number): string => {
    const kind = edgeTypes[edges[e + EDGE_TYPE] as number];
    const value = edges[e + EDGE_NAME] as number;
    if (kind === 'element' || kind === 'hidden') return '[]';
    const label = strings[value] ?? String(value);
    // Hash-table slots and array indices: one label for all of them.
    return /^\d+$/.test(label) ? '[]' : label;
  };

  // Shortest strong retaining path from the root: parent node and the edge that reaches each node.
  const parent = new Int32Array(count).fill(-1);
  const parentEdge = new Int32Array(count).fill(-1);
  const weak = edgeTypes.indexOf('weak');
  const shortcut = edgeTypes.indexOf('shortcut');
  const queue = new Uint32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  while (head < tail) {
    const n = queue[head++] as number;
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += edgeWidth) {
      const kind = edges[e + EDGE_TYPE];
      if (kind === weak || kind === shortcut) continue;
      const to = (edges[e + EDGE_TO] as number) / nodeWidth;
      if (parent[to] !== -1) continue;
      parent[to] = n;
      parentEdge[to] = e;
      queue[tail++] = to;
    }
  }

  // A closure's label: its name and where its function is defined (shared → script name, line).
  const lineOf = new Map<number, number>();
  if (raw.locations !== undefined && meta.location_fields !== undefined) {
    const width = meta.location_fields.length;
    const [OBJECT, LINE] = [meta.location_fields.indexOf('object_index'), meta.location_fields.indexOf('line')];
    for (let i = 0; i < raw.locations.length; i += width) lineOf.set((raw.locations[i + OBJECT] as number) / nodeWidth, raw.locations[i + LINE] as number);
  }
  const child = (n: number, edge: string): number | undefined => {
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += edgeWidth) {
      if (edgeName(e) === edge) return (edges[e + EDGE_TO] as number) / nodeWidth;
    }
    return undefined;
  };
  const closureLabel = (n: number): string => {
    const shared = child(n, 'shared');
    const script = shared === undefined ? undefined : (child(shared, 'script_or_debug_info') ?? child(shared, 'script'));
    const file = script === undefined ? '' : shortPath(name(script));
    const line = lineOf.get(n);
    return `${name(n) || '(anonymous)'}() ${file}${line === undefined ? '' : `:${line + 1}`}`;
  };
  const classLabel = (n: number): string => {
    const kind = type(n);
    if (kind === 'closure') return closureLabel(n);
    if (kind === 'object' || kind === 'native') return name(n);
    if (kind === 'string' || kind === 'concatenated string' || kind === 'sliced string') return '(string)';
    if (kind === 'number') return '(heap number)';
    return `(${kind}) ${name(n).slice(0, 60)}`;
  };
  const isOwner = (n: number): boolean => {
    const kind = type(n);
    if (kind === 'closure') return true;
    if (kind !== 'object' && kind !== 'native') return false;
    const label = name(n);
    return !GENERIC.has(label) && !label.startsWith('system /');
  };
  const ownerLabel = (n: number): string => {
    const path: string[] = [];
    let at = n;
    for (let depth = 0; depth < 64; depth += 1) {
      const up = parent[at] as number;
      if (up === -1 || up === at) break;
      path.push(edgeName(parentEdge[at] as number));
      at = up;
      if (isOwner(at)) break;
    }
    const below = path.reverse().slice(0, 3).join('.');
    return `${classLabel(at)}${below === '' ? '' : `.${below}`}`;
  };

  const byClass = new Map<string, HeapDiffEntry>();
  const byOwner = new Map<string, HeapDiffEntry>();
  const add = (table: Map<string, HeapDiffEntry>, label: string, bytes: number): void => {
    const entry = table.get(label) ?? { label, count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += bytes;
    table.set(label, entry);
  };
  let newBytes = 0;
  let newObjects = 0;
  for (let n = 0; n < count; n += 1) {
    if (before.has(nodes[n * nodeWidth + ID] as number) || parent[n] === -1) continue;
    const bytes = nodes[n * nodeWidth + SIZE] as number;
    if (bytes === 0) continue;
    newBytes += bytes;
    newObjects += 1;
    add(byClass, classLabel(n), bytes);
    add(byOwner, isOwner(n) ? `${classLabel(n)} (itself)` : ownerLabel(n), bytes);
  }
  const sorted = (table: Map<string, HeapDiffEntry>): HeapDiffEntry[] => [...table.values()].sort((a, b) => b.bytes - a.bytes);
  return { newBytes, newObjects, byClass: sorted(byClass), byOwner: sorted(byOwner) };
}

/**
 * Prints a {@link HeapDiff} as two tables of bytes and objects per connection.
 *
 * @example
 * printHeapDiff(diffHeapSnapshots(base, after), 5000);
 */
export function printHeapDiff(
  diff: HeapDiff,
  connections: number,
  top = 30,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  const per = (value: number): string => (value / connections).toFixed(value / connections < 10 ? 2 : 0);
  write(`new objects: ${per(diff.newObjects)} per connection, ${per(diff.newBytes)} bytes per connection (self sizes)`);
  for (const [title, entries] of [
    ['by class', diff.byClass],
    ['by owner (nearest object with a class of its own, then the path below it)', diff.byOwner],
  ] as const) {
    write(`\n${title}, top ${top}:`);
    write(`${'bytes/conn'.padStart(10)} ${'objs/conn'.padStart(9)}  what`);
    for (const entry of entries.slice(0, top)) write(`${per(entry.bytes).padStart(10)} ${per(entry.count).padStart(9)}  ${entry.label}`);
    const rest = entries.slice(top).reduce((sum, entry) => sum + entry.bytes, 0);
    if (rest > 0) write(`${per(rest).padStart(10)} ${''.padStart(9)}  (${entries.length - top} more)`);
  }
}

function shortPath(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*?\/(server|shared|test)\//, '$1/');
}
