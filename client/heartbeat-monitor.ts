import type { AckResult, ConnectionReason, PingResult } from '../shared/index.js';
import { ClientConnectionReason } from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Disposer } from './emitter.js';

/** What a {@link HeartbeatMonitor} is built from. */
export interface HeartbeatMonitorOptions {
  connection: Pick<ConnectionManager, 'events' | 'socket' | 'reconnect'>;
  /** Ms between heartbeats; `0` turns them off. */
  interval: number;
  /** Hears each measured round trip, ms. */
  onPing: (ms: number) => void;
  /** The clock used to measure round trips. @default performance.now (Date.now where missing) */
  now?: () => number;
}

/** Heartbeats in a row without an answer after which the connection counts as dead. */
export const MISSED_HEARTBEATS_LIMIT = 2;

/**
 * Sends a heartbeat (`sys:ping`) every `interval` while connected, measures its round trip, and
 * reconnects when {@link MISSED_HEARTBEATS_LIMIT} of them in a row go unanswered.
 *
 * Why this exists: a connection can die without its transport noticing (a phone that switched
 * networks, a proxy that dropped the TCP stream silently); Socket.IO's own ping notices only
 * after `pingInterval + pingTimeout` (45 s by default), and requests made meanwhile wait for
 * their timeout. Heartbeats find out within about `2 × interval` and go through the normal
 * reconnect path (backoff, resubscription). The interval is also declared in the handshake, so
 * the server closes the connection when the heartbeats stop reaching it (after 2.5 intervals).
 * A heartbeat goes out on the socket directly, not through the batcher, so that the round trip
 * it measures is the network's, not `outgoingMessageBufferTime`.
 *
 * @example
 * const monitor = new HeartbeatMonitor({ connection, interval: 5000, onPing: (ms) => console.log(ms) });
 * monitor.destroy();
 */
export class HeartbeatMonitor {
  private timer: ReturnType<typeof setInterval> | undefined;
  private outstanding = false;
  private missed = 0;
  /** Bumped on every start and stop, so that the answer to a heartbeat of an older run is ignored. */
  private run = 0;
  private readonly now: () => number;
  private readonly offChange: Disposer;

  constructor(private readonly options: HeartbeatMonitorOptions) {
    this.now = options.now ?? (typeof performance === 'object' ? () => performance.now() : () => Date.now());
    this.offChange = options.connection.events.on('change', ({ state }) => {
      if (state === 'connected') this.start();
      else this.stop();
    });
  }

  /** Stops the heartbeats for good. */
  destroy(): void {
    this.stop();
    this.offChange();
  }

  private start(): void {
    this.stop();
    if (this.options.interval <= 0) return;
    this.timer = setInterval(() => this.beat(), this.options.interval);
  }

  private stop(): void {
    this.run += 1;
    clearInterval(this.timer);
    this.timer = undefined;
    this.outstanding = false;
    this.missed = 0;
  }

  private beat(): void {
    if (this.outstanding) {
      this.missed += 1;
      if (this.missed >= MISSED_HEARTBEATS_LIMIT) {
        this.stop();
        this.options.connection.reconnect(ClientConnectionReason.HEARTBEAT_TIMEOUT as ConnectionReason);
      }
      return;
    }
    const run = this.run;
    const sentAt = this.now();
    this.outstanding = true;
    const socket = this.options.connection.socket as unknown as {
      emit(event: 'sys:ping', request: object, ack: (result: AckResult<PingResult>) => void): void;
    };
    socket.emit('sys:ping', {}, () => {
      if (run !== this.run) return;
      this.outstanding = false;
      this.missed = 0;
      this.options.onPing(Math.max(0, Math.round(this.now() - sentAt)));
    });
  }
}
