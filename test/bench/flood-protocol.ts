/**
 * The commands and notices between the orchestrator and the flooding client process
 * (`flood-entry.ts`), which sends one connection's channel messages at a fixed offered rate.
 */

/** What the flooding process is started with (its single argument, as JSON). */
export interface FloodLaunch {
  url: string;
  /** A token of the flooding user (a plain `client`, as an abusive end user would hold). */
  token: string;
  /** The channel it joins and floods (nobody else is in it). */
  channel: string;
  /** Approximate size of each message's data, bytes. */
  payloadBytes: number;
}

/** What one flood sent and how the server answered. */
export interface FloodReport {
  /** Messages sent (offered). */
  sent: number;
  /** Acknowledgements received by the end of the drain. */
  acked: number;
  /** Accepted (`ok: true`). */
  accepted: number;
  /** Refusals by error code, e.g. `{ RATE_LIMITED: 39000 }`. */
  refused: Record<string, number>;
  /** From the first send to the last, ms. */
  elapsedMs: number;
  /** This process's CPU time over the same span (user + system), µs. */
  cpuMicros: number;
}

export type FloodCommands = {
  /** Starts sending at `rate` messages/s (open loop: it never waits for acknowledgements). */
  start: { args: { rate: number }; result: null };
  /** Stops sending, waits (bounded) for the outstanding acknowledgements and reports. */
  stop: { args: Record<string, never>; result: FloodReport };
  /** Closes the connection; the process exits right after replying. */
  exit: { args: Record<string, never>; result: null };
};

export type FloodNotices = {
  /** Connected and joined to the channel. */
  ready: { pid: number };
};
