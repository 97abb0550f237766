import { FANOUT_TOPIC } from '../bench-event.js';
import { connectPublisher, connectReceivers, withFleet } from '../fleet.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase } from './bench-case.js';
import { runFanout } from './fanout.js';
import { measureThroughput } from './measure.js';

/** One in this many subscriptions matches each event (10%). */
const BUCKETS = 10;

/**
 * Case 2: every subscription has a two-key filter (`{ kind: 'tick', 'shard.bucket': i % 10 }`, an
 * equality and a dotted path), so each event matches 10% of them; deliveries/s and server CPU per
 * delivered event, against the unfiltered fan-out of case 1 on the same server.
 */
export const filteredFanoutCase: BenchCase = {
  id: 'filtered',
  title: 'Filtered fan-out',
  async run(context) {
    const { options } = context;
    const scope = 'filtered';
    const filtered = await withFleet(
      { kind: 'platform', scope, clients: options.clients, ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }) },
      async (fleet) => {
        await connectReceivers(fleet, scope, options.connections, { kind: 'filtered', topic: FANOUT_TOPIC, buckets: BUCKETS });
        const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: BUCKETS });
        try {
          const matching = options.connections / BUCKETS;
          return await measureThroughput(fleet, publisher, {
            scope,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
            windowEvents: Math.ceil(options.inflightDeliveries / matching),
          });
        } finally {
          publisher.close();
        }
      },
    );
    progress(
      scope,
      `platform, filtered: ${formatNumber(filtered.deliveriesPerSecond)} deliveries/s (${formatNumber(filtered.eventsPerSecond)} events/s), ` +
        `${formatNumber(filtered.cpuMicrosPerDelivery, 2)} µs CPU per delivery`,
    );
    // Case 1's figure when it ran in this run; otherwise measured here.
    const unfiltered = context.shared.fanout?.platform ?? (await runFanout(context, 'platform', scope));
    return {
      rows: [
        {
          id: 'filtered.deliveries',
          label: `Filtered fan-out, ${formatNumber(options.connections)} filtered subscriptions, 10% match each event`,
          unit: 'deliveries/s',
          better: 'higher',
          value: filtered.deliveriesPerSecond,
          baseline: unfiltered.deliveriesPerSecond,
          baselineLabel: 'our unfiltered fan-out (case 1)',
        },
        {
          id: 'filtered.cpu-per-delivery',
          label: 'Server CPU per delivered event, filtered',
          unit: 'µs',
          better: 'lower',
          value: filtered.cpuMicrosPerDelivery,
          baseline: unfiltered.cpuMicrosPerDelivery,
          baselineLabel: 'our unfiltered fan-out',
          note: 'includes evaluating all 1,000 filters per event',
        },
      ],
      details: { filtered, unfiltered, buckets: BUCKETS },
      notes: [
        `Filters \`{ kind: 'tick', 'shard.bucket': i % ${BUCKETS} }\` (one equality, one dotted path); every event is checked against ` +
          `all ${formatNumber(options.connections)} subscriptions and delivered to ${formatNumber(options.connections / BUCKETS)}. ` +
          `Filtered: ${formatNumber(filtered.eventsPerSecond)} events/s published; unfiltered: ${formatNumber(unfiltered.eventsPerSecond)} events/s. ` +
          `Filters are compiled when a subscription is added (paths split once, no allocation per check). ` +
          `Filter cost per event ≈ ${formatNumber(
            Math.max(0, filtered.cpuMicrosPerDelivery - unfiltered.cpuMicrosPerDelivery) * (options.connections / BUCKETS),
            0,
          )} µs of server CPU (the CPU-per-delivery difference × ${formatNumber(options.connections / BUCKETS)} deliveries).`,
      ],
    };
  },
};
