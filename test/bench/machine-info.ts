import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** The machine and software a run measured. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  socketIo: string;
  /** Soft and hard `ulimit -n` as child processes get it. */
  openFilesLimit: { soft: string; hard: string };
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function shell(command: string): string {
  const result = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

/**
 * Describes this machine.
 *
 * @example
 * const { cpuModel, cores } = machineInfo();
 */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryBytes: totalmem(),
    kernel: `Linux ${release()}`,
    node: process.version,
    socketIo: packageVersion('socket.io'),
    openFilesLimit: { soft: shell('ulimit -Sn'), hard: shell('ulimit -Hn') },
  };
}
