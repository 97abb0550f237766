import type { RealtimeServerOptions } from '../../../server/index.js';

/** A rate no fuzzer reaches: the limiter code runs on every request but never refuses. */
const UNREACHABLE_RATE = 1_000_000;

/**
 * Server options for a fuzz target: the given ones, with rate limits raised out of reach (still
 * enabled, so their code runs on every request) so that the fuzzer measures robustness rather
 * than tripping over limits meant for real traffic. The flood property tests the limits themselves.
 *
 * @example
 * const t = await startTestServer(fuzzServerOptions({ logger }));
 */
export function fuzzServerOptions(options: Partial<RealtimeServerOptions>): Partial<RealtimeServerOptions> {
  const rates = { perConnection: UNREACHABLE_RATE, perUser: UNREACHABLE_RATE, perRealm: UNREACHABLE_RATE };
  return {
    rateLimits: { enabled: true, publishes: rates, messages: rates, subscribes: rates, writes: rates, presence: rates, connectionsPerUser: 10_000 },
    ...options,
  };
}
