import type { Logger } from 'pino';
import type { PresenceCleanup, PresenceStore } from './presence-store.js';

/** What {@link PresenceHeartbeat} needs. */
export interface PresenceHeartbeatOptions {
  store: PresenceStore;
  nodeId: string;
  /** How often to beat and sweep, ms. */
  intervalMs: number;
  /** How old a node's last beat may be before its entries are removed, ms. */
  timeoutMs: number;
  /** Receives what was removed from dead nodes, to announce it. */
  onExpired: (cleanup: PresenceCleanup) => void;
  logger: Logger;
}

/**
 * Keeps this node alive in the presence store and removes what dead nodes left behind.
 *
 * Why this exists: a node that crashes cannot announce its connections' departures. Every node
 * renews its heartbeat every `intervalMs` and, in the same tick, asks the store to expire nodes
 * whose heartbeat is older than `timeoutMs`; the store hands each dead node's entries to exactly
 * one caller, which announces the `leave` and `disconnected` events. So a dead node's members are
 * gone at most `timeoutMs + intervalMs` after its last heartbeat. Ticks never overlap.
 *
 * @example
 * const heartbeat = new PresenceHeartbeat({ store, nodeId, intervalMs: 5000, timeoutMs: 15000, onExpired, logger });
 * heartbeat.start();
 * heartbeat.stop();
 */
export class PresenceHeartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: PresenceHeartbeatOptions) {}

  /** Beats at once, then every interval. */
  start(): void {
    if (this.timer !== undefined) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops beating; resolves once a tick in progress has finished. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One beat and sweep (skipped while the previous one still runs). */
  tick(): Promise<void> {
    this.running ??= this.beat().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async beat(): Promise<void> {
    const { store, nodeId, timeoutMs, onExpired, logger } = this.options;
    try {
      const now = Date.now();
      await store.heartbeat(nodeId, now);
      const cleanup = await store.expireNodes(now, timeoutMs);
      if (cleanup.members.length > 0 || cleanup.statusChanges.length > 0 || cleanup.connections.length > 0) {
        logger.info({ members: cleanup.members.length, connections: cleanup.connections.length }, 'removed presence of dead nodes');
        onExpired(cleanup);
      }
    } catch (err) {
      logger.warn({ err }, 'presence heartbeat failed');
    }
  }
}
