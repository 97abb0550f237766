import type { BenchCase } from './bench-case.js';

/**
 * Case 6, multi-node fan-out through Redis: waits for the scale-out issue (REDIS_URL,
 * `@socket.io/redis-adapter`). It reports a placeholder row today.
 *
 * To add it: give `ServerLaunch` (ipc-protocol.ts) a `redisUrl` that `server-entry.ts` passes to
 * createRealtimeServer; start redis-server on a free 127.0.0.1 port (as test/support starts
 * MongoDB); start two ServerProcess with it; connect half the receivers to each
 * (`ClientPool.connect` with each server's url); publish on one node with `measureThroughput`,
 * and compare with the single-node figure of case 1 and with bare Socket.IO on the Redis adapter.
 */
export const multiNodeCase: BenchCase = {
  id: 'multinode',
  title: 'Multi-node fan-out (Redis)',
  async run() {
    return {
      rows: [
        {
          id: 'multinode.deliveries',
          label: 'Fan-out across 2 nodes through Redis',
          unit: 'deliveries/s',
          better: 'higher',
          value: null,
          baseline: null,
          baselineLabel: 'bare Socket.IO with @socket.io/redis-adapter',
          note: 'not yet measured: waits for the scale-out issue',
        },
      ],
      details: {},
      notes: ['Not yet measured: the Redis scale-out is not built yet. The case is wired (`--cases=multinode`) and reports this placeholder.'],
    };
  },
};
