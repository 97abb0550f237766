/**
 * The limits a server enforces on requests, announced to each connection at connect
 * (`session:opened`) so that a client can refuse an oversized or too-deep request itself, with a
 * typed error and its connection intact, instead of sending it.
 *
 * Why the client needs `maxFrameBytes`: a Socket.IO message above the transport limit
 * (`maxHttpBufferSize`) is not answered, the server closes the connection. Everything below it
 * gets a typed answer from the server, which stays the last guard.
 */
export interface SessionLimits {
  /** Largest event payload, channel message or direct message (`payload` / `data`), JSON bytes. */
  maxPayloadBytes: number;
  /** Largest presence state (`state`), JSON bytes. */
  maxPresenceStateBytes: number;
  /** Deepest nesting of objects and arrays in one request (the request object is level 1). */
  maxPayloadDepth: number;
  /** Largest Socket.IO message the server reads (the whole encoded request), bytes. */
  maxFrameBytes: number;
}

/** What the server tells a connection as soon as it is open. */
export interface SessionOpened {
  limits: SessionLimits;
}

/** Session events the server sends. */
export interface SessionServerEvents {
  /**
   * Sent once per connection, right after Socket.IO's own connect, before anything else; the
   * client counts as connected when it arrives.
   */
  'session:opened': (session: SessionOpened) => void;
}
