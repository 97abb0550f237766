import { FANOUT_TOPIC } from '../bench-event.js';
import { connectPublisher, connectReceivers, withFleet } from '../fleet.js';
import type { ServerKind } from '../ipc-protocol.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase, BenchContext } from './bench-case.js';
import { measureThroughput, type ThroughputResult } from './measure.js';

/**
 * Saturated fan-out of one topic to every subscribed connection, on a given server.
 *
 * @example
 * const result = await runFanout(context, 'platform', 'fanout');
 */
export async function runFanout(context: BenchContext, kind: ServerKind, scope: string, batch = 1): Promise<ThroughputResult> {
  const { options } = context;
  return withFleet(
    { kind, scope, clients: options.clients, ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }) },
    async (fleet) => {
      await connectReceivers(fleet, scope, options.connections, { kind: 'fanout', topic: FANOUT_TOPIC });
      const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: 1, batch });
      try {
        const result = await measureThroughput(fleet, publisher, {
          scope,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          windowEvents: Math.max(batch, Math.ceil(options.inflightDeliveries / options.connections)),
        });
        progress(
          scope,
          `${kind}: ${formatNumber(result.deliveriesPerSecond)} deliveries/s, server CPU ${formatNumber(result.serverCpu * 100)}%, ` +
            `${formatNumber(result.cpuMicrosPerDelivery, 2)} µs CPU per delivery` +
            (result.otherLoadCores >= 0.2 ? ` (other processes used ${formatNumber(result.otherLoadCores, 2)} cores meanwhile)` : ''),
        );
        return result;
      } finally {
        publisher.close();
      }
    },
  );
}

/** Case 1: fan-out throughput, ours against a bare Socket.IO room broadcast. */
export const fanoutCase: BenchCase = {
  id: 'fanout',
  title: 'Fan-out throughput',
  async run(context) {
    const { options } = context;
    const ours = await runFanout(context, 'platform', 'fanout');
    const bare = await runFanout(context, 'bare', 'fanout');
    context.shared.fanout = { platform: ours, bare };
    return {
      rows: [
        {
          id: 'fanout.deliveries',
          label: `Fan-out, one topic, ${formatNumber(options.connections)} subscribers (saturated)`,
          unit: 'deliveries/s',
          better: 'higher',
          value: ours.deliveriesPerSecond,
          baseline: bare.deliveriesPerSecond,
          baselineLabel: 'bare Socket.IO `io.to(room).emit`',
        },
        {
          id: 'fanout.cpu-per-delivery',
          label: 'Server CPU per delivery (same runs)',
          unit: 'µs',
          better: 'lower',
          value: ours.cpuMicrosPerDelivery,
          baseline: bare.cpuMicrosPerDelivery,
          baselineLabel: 'bare Socket.IO',
        },
      ],
      details: { platform: ours, bare },
      notes: [
        `Closed loop: the publisher keeps at most ${formatNumber(options.inflightDeliveries)} undelivered deliveries in flight; ` +
          `deliveries are counted at the receivers over ${options.durationMs / 1000} s after a ${options.warmupMs / 1000} s warm-up. ` +
          `Server CPU: platform ${formatNumber(ours.serverCpu * 100)}%, bare ${formatNumber(bare.serverCpu * 100)}% of one core; ` +
          `load clients: platform run ${formatNumber(ours.clientCpu * 100)}%, bare run ${formatNumber(bare.clientCpu * 100)}%. ` +
          `Repeated runs on this 2-core machine differ by about ±15% (the server shares the CPU with the load clients and whatever else runs), ` +
          `so differences smaller than that are parity. A topic whose subscriptions have no filter and one return mode is delivered ` +
          `with one broadcast to its Socket.IO room, so it costs the same per delivery as the bare server; what is left per delivery ` +
          `is Socket.IO's own work and one websocket write (a system call) per connection (see case 7).`,
      ],
    };
  },
};
