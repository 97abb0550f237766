import { FANOUT_TOPIC } from '../bench-event.js';
import { connectPublisher, connectReceivers, withFleet } from '../fleet.js';
import type { ServerKind } from '../ipc-protocol.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase, BenchContext } from './bench-case.js';
import { measureThroughput, type ThroughputResult } from './measure.js';

/** Options of {@link runFanout}. */
export interface FanoutRunOptions {
  /** The receivers ask for batched frames (`RealtimeClient`'s default). @default false */
  batchedFrames?: boolean;
}

/**
 * Saturated fan-out of one topic to every subscribed connection, on a given server.
 *
 * @example
 * const result = await runFanout(context, 'platform', 'fanout', { batchedFrames: true });
 */
export async function runFanout(context: BenchContext, kind: ServerKind, scope: string, run: FanoutRunOptions = {}): Promise<ThroughputResult> {
  const { options } = context;
  const batchedFrames = run.batchedFrames ?? false;
  return withFleet(
    { kind, scope, clients: options.clients, batchedFrames, ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }) },
    async (fleet) => {
      await connectReceivers(fleet, scope, options.connections, { kind: 'fanout', topic: FANOUT_TOPIC });
      const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: 1 });
      try {
        const result = await measureThroughput(fleet, publisher, {
          scope,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          windowEvents: Math.ceil(options.inflightDeliveries / options.connections),
        });
        progress(
          scope,
          `${kind}${batchedFrames ? ' (batched frames)' : ''}: ${formatNumber(result.deliveriesPerSecond)} deliveries/s, server CPU ${formatNumber(result.serverCpu * 100)}%, ` +
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

/** Case 1: fan-out throughput, ours with batched frames on and off, against a bare Socket.IO room broadcast. */
export const fanoutCase: BenchCase = {
  id: 'fanout',
  title: 'Fan-out throughput',
  async run(context) {
    const { options } = context;
    const batched = await runFanout(context, 'platform', 'fanout', { batchedFrames: true });
    const ours = await runFanout(context, 'platform', 'fanout');
    const bare = await runFanout(context, 'bare', 'fanout');
    context.shared.fanout = { platform: ours, batched, bare };
    const subscribers = formatNumber(options.connections);
    return {
      rows: [
        {
          id: 'fanout.deliveries',
          label: `Fan-out, one topic, ${subscribers} subscribers (saturated), batched frames (the default)`,
          unit: 'deliveries/s',
          better: 'higher',
          value: batched.deliveriesPerSecond,
          baseline: bare.deliveriesPerSecond,
          baselineLabel: 'bare Socket.IO `io.to(room).emit`',
        },
        {
          id: 'fanout.deliveries.unbatched',
          label: `Fan-out, one topic, ${subscribers} subscribers (saturated), batched frames off`,
          unit: 'deliveries/s',
          better: 'higher',
          value: ours.deliveriesPerSecond,
          baseline: bare.deliveriesPerSecond,
          baselineLabel: 'bare Socket.IO `io.to(room).emit`',
        },
        {
          id: 'fanout.cpu-per-delivery',
          label: 'Server CPU per delivery, batched frames (same runs)',
          unit: 'µs',
          better: 'lower',
          value: batched.cpuMicrosPerDelivery,
          baseline: bare.cpuMicrosPerDelivery,
          baselineLabel: 'bare Socket.IO',
        },
        {
          id: 'fanout.cpu-per-delivery.unbatched',
          label: 'Server CPU per delivery, batched frames off (same runs)',
          unit: 'µs',
          better: 'lower',
          value: ours.cpuMicrosPerDelivery,
          baseline: bare.cpuMicrosPerDelivery,
          baselineLabel: 'bare Socket.IO',
        },
      ],
      details: { batched, platform: ours, bare },
      notes: [
        `Closed loop: the publisher keeps at most ${formatNumber(options.inflightDeliveries)} undelivered deliveries in flight; ` +
          `deliveries are counted at the receivers over ${options.durationMs / 1000} s after a ${options.warmupMs / 1000} s warm-up. ` +
          `Server CPU: platform ${formatNumber(batched.serverCpu * 100)}% batched, ${formatNumber(ours.serverCpu * 100)}% unbatched, ` +
          `bare ${formatNumber(bare.serverCpu * 100)}% of one core; load clients: ${formatNumber(batched.clientCpu * 100)}%, ` +
          `${formatNumber(ours.clientCpu * 100)}%, ${formatNumber(bare.clientCpu * 100)}%. ` +
          `"Batched frames" receivers ask for them as \`RealtimeClient\` does by default (\`batch=1\`) and split each frame into its packets; ` +
          `"off" receivers, like a plain socket.io-client and the bare server's, get one packet per websocket frame. ` +
          `Repeated runs on this 2-core machine differ by about ±15% (the server shares the CPU with the load clients and whatever else runs), ` +
          `so differences smaller than that are parity. A topic whose subscriptions have no filter and one return mode is delivered ` +
          `with one broadcast to its Socket.IO room; what is left per delivery without batching is Socket.IO's own work and one websocket ` +
          `write (a system call) per connection, which batched frames share among the events of a turn of the event loop (see case 7).`,
      ],
    };
  },
};
