import { RATE_LIMITED_ACTIONS, type ActionRates, type RateLimitedAction, type RealtimeServerOptions } from '../../../server/index.js';

/** A rate no fuzzer reaches: the limiter code runs on every request but never refuses. */
const UNREACHABLE_RATE = 1_000_000;

/**
 * The same rates for every rate-limited action (a new action is covered without a change here).
 *
 * @example
 * everyAction({ perConnection: 20, perUser: 40, perRealm: 400 }); // { publishes: ..., messages: ..., ... }
 */
export function everyAction(rates: ActionRates): Record<RateLimitedAction, ActionRates> {
  return Object.fromEntries(RATE_LIMITED_ACTIONS.map((action) => [action, rates])) as Record<RateLimitedAction, ActionRates>;
}

/**
 * Server options for a fuzz target: the given ones, with rate limits raised out of reach (still
 * enabled, so their code runs on every request) so that the fuzzer measures robustness rather
 * than tripping over limits meant for real traffic. The flood property tests the limits themselves.
 *
 * @example
 * const t = await startTestServer(fuzzServerOptions({ logger }));
 */
export function fuzzServerOptions(options: Partial<RealtimeServerOptions>): Partial<RealtimeServerOptions> {
  const unreachable = { perConnection: UNREACHABLE_RATE, perUser: UNREACHABLE_RATE, perRealm: UNREACHABLE_RATE };
  return {
    rateLimits: { enabled: true, ...everyAction(unreachable), connectionsPerUser: 10_000 },
    ...options,
  };
}
