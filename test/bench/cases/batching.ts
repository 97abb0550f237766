import { formatNumber } from '../progress.js';
import type { BenchCase, BenchRow } from './bench-case.js';
import { runFanout } from './fanout.js';
import type { ThroughputResult } from './measure.js';

/** The goals for batched frames (issue 15): fan-out against bare Socket.IO, capacity against today's. */
const FANOUT_GOAL = 2;
const CAPACITY_GOAL = 3;

/**
 * Case 7: batched frames on against off, on the platform: what the server gains when what it sends
 * one connection within a turn of its event loop shares one websocket frame (README "Batched
 * frames"). Uses case 1's and case 3's runs when they ran in this run; alone it measures the
 * fan-out itself (the capacity needs case 3).
 */
export const batchingCase: BenchCase = {
  id: 'batching',
  title: 'Batched frames: on against off',
  async run(context) {
    const fanout: { batched: ThroughputResult; platform: ThroughputResult; bare: ThroughputResult } = context.shared.fanout ?? {
      batched: await runFanout(context, 'platform', 'batching', { batchedFrames: true }),
      platform: await runFanout(context, 'platform', 'batching'),
      bare: await runFanout(context, 'bare', 'batching'),
    };
    const capacity = context.shared.capacity;
    const rows: BenchRow[] = [
      {
        id: 'batching.fanout',
        label: 'Saturated fan-out with batched frames (deliveries/s)',
        unit: 'deliveries/s',
        better: 'higher',
        value: fanout.batched.deliveriesPerSecond,
        baseline: fanout.platform.deliveriesPerSecond,
        baselineLabel: 'platform, batched frames off (one packet per frame)',
      },
      {
        id: 'batching.cpu-per-delivery',
        label: 'Server CPU per delivery with batched frames',
        unit: 'µs',
        better: 'lower',
        value: fanout.batched.cpuMicrosPerDelivery,
        baseline: fanout.platform.cpuMicrosPerDelivery,
        baselineLabel: 'platform, batched frames off',
      },
      {
        id: 'batching.capacity',
        label: 'Highest delivery rate with p99 ≤ 100 ms, batched frames (case 3)',
        unit: 'deliveries/s',
        better: 'higher',
        value: capacity?.batched ?? null,
        baseline: capacity?.unbatched ?? null,
        baselineLabel: 'platform, batched frames off',
      },
    ];
    const x = (value: number, baseline: number): string => (baseline > 0 ? `${formatNumber(value / baseline, 2)}×` : 'n/a');
    const goals =
      `Issue 15's goals, from this run: saturated fan-out with batched frames ${x(fanout.batched.deliveriesPerSecond, fanout.bare.deliveriesPerSecond)} ` +
      `bare Socket.IO (goal ≥ ${FANOUT_GOAL}×)` +
      (capacity === undefined
        ? '; the capacity goal needs case 3 in the same run.'
        : `; highest rate with p99 ≤ 100 ms ${x(capacity.batched, capacity.unbatched)} the unbatched one (goal ≥ ${CAPACITY_GOAL}×) and ` +
          `${x(capacity.batched, capacity.bare)} bare Socket.IO's; p99 at each fixed rate against bare Socket.IO: case 3's \`latency.p99.*\` rows.`);
    return {
      rows,
      details: { fanout, capacity: capacity ?? null },
      notes: [
        `Batched frames are on by default on both sides: the server batches for connections that ask (\`batch=1\` in the engine.io query), ` +
          `\`RealtimeClient\` asks and unpacks. The receivers here ask the same way and split each frame into its packets before reading them; ` +
          `"off" is the same server with receivers that do not ask (as a plain socket.io-client). Most of a delivery's cost is per frame ` +
          `(a websocket write and a system call per connection), which the events of one frame share. A frame waits until the end of the ` +
          `turn of the event loop while the server has time to spare, so at low rates it carries one event and costs what an unbatched ` +
          `one does (less: it is written as one buffer, not a header and a payload), plus at most one turn of latency; once the loop is ` +
          `more than 70% busy, frames wait up to \`busyWindowMs\` (20 ms by default, reached at 95%) for more, which is where the ` +
          `capacity in case 3 comes from. This case replaces the earlier experiment that packed 10 event envelopes into one published payload.`,
        goals,
      ],
    };
  },
};
