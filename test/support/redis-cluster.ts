import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { collectOutput, freePort, stopChild, waitForPort } from './processes.js';

const run = promisify(execFile);

/**
 * A Redis Cluster for one test file, and a key prefix of its own.
 *
 * @example
 * const cluster: RedisClusterTestServer = await startRedisCluster();
 */
export interface RedisClusterTestServer {
  /** Seed nodes, `host:port` each (what `REDIS_CLUSTER_NODES` takes). */
  nodes: string[];
  /** A prefix unique to this call, for `REDIS_KEY_PREFIX`. */
  keyPrefix: string;
  /** `REDIS_CLUSTER_NODES`'s cluster, or three shards this call started from `redis-server`. */
  kind: 'external' | 'owned';
  /** Stops an owned cluster and deletes its files; a no-op for an external one. */
  stop(): Promise<void>;
}

/**
 * Uses `REDIS_CLUSTER_NODES` when set; otherwise starts a three-shard Redis Cluster from Debian's
 * `redis-server` (`--cluster-enabled yes`, no replicas, no persistence) in a temp dir, joins it
 * with `redis-cli --cluster create` and resolves once every node reports `cluster_state:ok`.
 * Never skips: throws when no cluster can be had.
 *
 * @example
 * const cluster = await startRedisCluster();
 * afterAll(() => cluster.stop());
 */
export async function startRedisCluster(): Promise<RedisClusterTestServer> {
  const keyPrefix = `t${randomBytes(4).toString('hex')}`;
  const external = process.env['REDIS_CLUSTER_NODES'];
  if (external !== undefined && external.trim() !== '') {
    return { nodes: external.split(',').map((node) => node.trim()), keyPrefix, kind: 'external', stop: async () => undefined };
  }
  if (spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-cli'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('Cluster tests need redis-server and redis-cli (apt-get install redis-server), or REDIS_CLUSTER_NODES');
  }
  const dir = mkdtempSync(join(tmpdir(), 'realtime-redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let shard = 0; shard < 3; shard += 1) {
      const port = await freePort();
      // A cluster node also listens on port + 10000 (the bus); a port whose bus port is taken is skipped.
      if (port > 55_000 || ports.includes(port)) {
        shard -= 1;
        continue;
      }
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          nodeDir,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(child);
      await waitForPort(port, child, collectOutput(child));
      ports.push(port);
    }
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    await Promise.all(ports.map((port) => clusterOk(port)));
    return { nodes, keyPrefix, kind: 'owned', stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls one node's `CLUSTER INFO` until its state is `ok` (it sees every slot served). */
async function clusterOk(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster node ${port} never reached cluster_state:ok:\n${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
