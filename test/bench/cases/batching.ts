import { FANOUT_TOPIC } from '../bench-event.js';
import { connectPublisher, connectReceivers, withFleet } from '../fleet.js';
import type { ServerKind } from '../ipc-protocol.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';
import { measureThroughput, type ThroughputResult } from './measure.js';

/**
 * Fan-out with one event per frame, then with `batch` events per frame, on one server. Batching
 * is not in the protocol: the batched run publishes events whose payload is an array of `batch`
 * complete event envelopes, which is exactly what a batching server would put in one frame, so
 * the receivers get the same bytes per event and count every inner event.
 */
async function runBatching(context: BenchContext, kind: ServerKind): Promise<{ single: ThroughputResult; batched: ThroughputResult }> {
  const { options } = context;
  const scope = 'batching';
  return withFleet({ kind, scope, clients: options.clients }, async (fleet) => {
    await connectReceivers(fleet, scope, options.connections, { kind: 'fanout', topic: FANOUT_TOPIC });
    const measure = async (batch: number): Promise<ThroughputResult> => {
      // Continues the event sequence the receivers have seen so far.
      const firstSeq = Math.max(0, fleet.pool.doneSeq() + 1);
      const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: 1, batch, firstSeq });
      try {
        const result = await measureThroughput(fleet, publisher, {
          scope,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          windowEvents: Math.max(batch * 4, Math.ceil(options.inflightDeliveries / options.connections)),
        });
        progress(
          scope,
          `${kind}, ${batch} event${batch === 1 ? '' : 's'} per frame: ${formatNumber(result.deliveriesPerSecond)} events delivered/s, ` +
            `${formatNumber(result.cpuMicrosPerDelivery, 2)} µs server CPU per event`,
        );
        return result;
      } finally {
        publisher.close();
      }
    };
    // Case 1's figure when it ran in this run; otherwise measured here on the same fleet.
    const single = context.shared.fanout?.[kind] ?? (await measure(1));
    const batched = await measure(options.batch);
    return { single, batched };
  });
}

/** Not a protocol feature: measures what batching several events per frame would gain. */
export const batchingCase: BenchCase = {
  id: 'batching',
  title: 'What batching would gain (experiment)',
  async run(context) {
    const { options } = context;
    const ours = await runBatching(context, 'platform');
    const bare = await runBatching(context, 'bare');
    const rows: BenchRow[] = [
      {
        id: 'batching.platform',
        label: `Fan-out with ${options.batch} events per frame, platform (events delivered/s)`,
        unit: 'events/s',
        better: 'higher',
        value: ours.batched.deliveriesPerSecond,
        baseline: ours.single.deliveriesPerSecond,
        baselineLabel: 'platform, 1 event per frame (today)',
      },
      {
        id: 'batching.bare',
        label: `Fan-out with ${options.batch} events per frame, bare Socket.IO`,
        unit: 'events/s',
        better: 'higher',
        value: bare.batched.deliveriesPerSecond,
        baseline: bare.single.deliveriesPerSecond,
        baselineLabel: 'bare Socket.IO, 1 event per frame',
      },
    ];
    return {
      rows,
      details: { platform: ours, bare, batch: options.batch },
      notes: [
        `Server CPU per delivered event: platform ${formatNumber(ours.single.cpuMicrosPerDelivery, 2)} µs → ${formatNumber(ours.batched.cpuMicrosPerDelivery, 2)} µs ` +
          `with ${options.batch} per frame; bare ${formatNumber(bare.single.cpuMicrosPerDelivery, 2)} µs → ${formatNumber(bare.batched.cpuMicrosPerDelivery, 2)} µs. ` +
          `Most of the per-delivery cost is per frame (one websocket write and one system call per connection), so batching divides it; ` +
          `the price is latency (events wait for their batch) and a protocol change (clients must unpack batches). Not implemented.`,
      ],
    };
  },
};
