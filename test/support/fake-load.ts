import type { EventLoopUtilization } from 'node:perf_hooks';
import type { LoadSource } from '../../server/wire/load-window.js';

/** A clock and an event loop whose utilisation since the last reading the test sets. */
export function fakeLoad(): LoadSource & { advance(ms: number, utilisation: number): void } {
  let now = 0;
  let active = 0;
  let idle = 0;
  return {
    now: () => now,
    eventLoopUtilization(current?: EventLoopUtilization, previous?: EventLoopUtilization): EventLoopUtilization {
      if (current === undefined) return { active, idle, utilization: active / Math.max(1, active + idle) };
      const busy = current.active - (previous?.active ?? 0);
      const spare = current.idle - (previous?.idle ?? 0);
      return { active: busy, idle: spare, utilization: busy / Math.max(1, busy + spare) };
    },
    advance(ms, utilisation) {
      now += ms;
      active += ms * utilisation;
      idle += ms * (1 - utilisation);
    },
  };
}
