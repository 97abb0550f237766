/**
 * The commands and notices between the orchestrator and the geo publisher process
 * (`geo-publisher-entry.ts`, case 10), which moves the city's objects with `object:set`.
 */

/** What the geo publisher is started with (its single argument, as JSON). */
export interface GeoPublisherLaunch {
  url: string;
  /** A `service` token of the benchmark realm (exempt from the per-connection location limits). */
  token: string;
  /** Objects `rider/0` .. `rider/<objects - 1>`. */
  objects: number;
  /** Seeds their starting positions and their moves. */
  seed: number;
  /** Each move shifts its object by up to this many degrees in each direction. */
  stepDegrees: number;
}

/** What one `run` sent. */
export interface GeoRunReport {
  /** `object:set` messages sent. */
  sent: number;
  /** Moves that fell due while the backlog was full, and were not sent. */
  dropped: number;
  /** Moves the server acknowledged as applied between `windowFromMs` and `windowToMs` (to 50), and that window's length. */
  appliedInWindow: number;
  windowMs: number;
  /** From the first send to the last, ms. */
  elapsedMs: number;
  /** This process's CPU time over the same span (user + system), µs. */
  cpuMicros: number;
  /** `protocol:error` frames received so far (a fire-and-forget write the server refused). */
  refused: number;
  /** The last of them, abridged. */
  lastRefusal?: string;
}

/** What one `run` offers, and which part of it is the measured window (ms from its start). */
export interface GeoRunArgs {
  rate: number;
  count: number;
  /** Most moves sent but not known to be applied; those falling due beyond it are dropped. */
  maxBacklog: number;
  windowFromMs: number;
  windowToMs: number;
}

export type GeoPublisherCommands = {
  /** Writes every object once at its starting position (fire-and-forget); answers how many were sent. */
  seed: { args: Record<string, never>; result: { sent: number } };
  /**
   * Offers `count` moves at `rate` per second (open loop, fire-and-forget but for one in 50, which
   * asks for an acknowledgement), going round the objects in order, each move stamping the publish
   * time into the object's `data.t`. A move that falls due while more than `maxBacklog` sent ones
   * are not known to be applied is dropped.
   */
  run: { args: GeoRunArgs; result: GeoRunReport };
  /** Closes the connection; the process exits right after replying. */
  exit: { args: Record<string, never>; result: null };
};

export type GeoPublisherNotices = {
  /** Connected. */
  ready: { pid: number };
};
