import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The parts of a V8 `.cpuprofile` this reads. */
interface CpuProfile {
  nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  endTime: number;
}

/** Self time of one function in a profile. */
export interface ProfileEntry {
  name: string;
  location: string;
  selfPercent: number;
}

/**
 * Self time by function, highest first, as a share of the busy samples (idle left out).
 *
 * @example
 * summarizeProfile('test/bench/results/profiles/fanout-platform.cpuprofile', 20);
 */
export function summarizeProfile(path: string, top: number): ProfileEntry[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byFunction = new Map<string, ProfileEntry & { hits: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += hits;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const location = url === '' ? '' : `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    const key = `${name} ${location}`;
    const entry = byFunction.get(key) ?? { name, location, selfPercent: 0, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map(({ name, location, hits }) => ({ name, location: relative(process.cwd(), location) || location, selfPercent: (hits * 100) / Math.max(1, total) }));
}

/**
 * Prints the top functions of every profile in a run's profile folder.
 *
 * @example
 * printProfiles('test/bench/results/profiles/2025-01-01T00-00-00', 25);
 */
export function printProfiles(dir: string, top = 25): void {
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()) {
    const path = join(dir, file);
    process.stdout.write(`\n${relative(process.cwd(), path)} — self time, top ${top}\n`);
    for (const entry of summarizeProfile(path, top)) {
      process.stdout.write(`  ${entry.selfPercent.toFixed(1).padStart(5)}%  ${entry.name}  ${entry.location}\n`);
    }
  }
}
