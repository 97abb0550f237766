import type { Logger } from 'pino';
import { toRealtimeError, type Principal } from '../../shared/index.js';
import type { RealtimeSocket } from '../socket-types.js';
import { KeyedSerialQueue } from '../presence/keyed-serial-queue.js';
import type { ConnectionRecord } from '../presence/presence-store.js';
import { rateLimitedError, type RateLimits } from './rate-limits.js';

/**
 * What a {@link ConnectionLimit} is built from.
 *
 * @example
 * new ConnectionLimit({ rateLimits, userConnections: (realm, user) => presence.userConnections(realm, user), clustered: true, logger });
 */
export interface ConnectionLimitOptions {
  /** The limits in force (`connectionsPerUser`, `connectionRetryAfterMs`, exempt roles). */
  rateLimits: RateLimits;
  /** A user's registered connections in a realm, on every node (the presence store). */
  userConnections: (realm: string, userId: string) => Promise<ConnectionRecord[]>;
  /**
   * Whether other nodes register connections in the same store: then a handshake is checked again
   * after it registered, so that two nodes admitting the same user at once cannot both exceed it.
   * @default false
   */
  clustered?: boolean;
  logger: Logger;
}

/**
 * What a handshake needs registered and, if it is refused after all, removed again.
 *
 * @example
 * await limit.admit({ connectionId: socket.id, principal, register: () => presence.connect(socket), unregister: () => presence.disconnect(socket.id) });
 */
export interface Admission {
  connectionId: string;
  principal: Principal;
  register: () => Promise<void>;
  unregister: () => void;
}

/**
 * Caps the connections one user id holds at once in one realm (`connectionsPerUser`), counted in
 * the presence store, so over every node of a cluster.
 *
 * Why this exists, and how it stays exact: handshakes of one user on this node are admitted one
 * at a time (count, then register), so one node never lets a burst of handshakes past the cap. On
 * a cluster two nodes may count at the same moment; each then counts again after registering and
 * keeps the connection only if it is among the user's `connectionsPerUser` oldest (by
 * `connectedAt`, then id), so every node takes the same decision. If the store cannot be read the
 * handshake is admitted (and logged): an outage must not lock every user out.
 *
 * @example
 * const limit = new ConnectionLimit({ rateLimits, userConnections: (realm, user) => presence.userConnections(realm, user), logger });
 * io.use(admitConnections(limit, presence));
 */
export class ConnectionLimit {
  private readonly queue = new KeyedSerialQueue();

  constructor(private readonly options: ConnectionLimitOptions) {}

  /**
   * Registers the connection if the user has room for it in every realm its token grants.
   *
   * @throws LimitExceededError `RATE_LIMITED` with `details.retryAfterMs` when it has not.
   */
  async admit(admission: Admission): Promise<void> {
    const { rateLimits } = this.options;
    const { connectionsPerUser, enabled } = rateLimits.settings;
    if (!enabled || connectionsPerUser === 0 || isExemptEverywhere(rateLimits, admission.principal)) {
      await admission.register();
      return;
    }
    await this.queue.run(admission.principal.userId, async () => {
      await this.assertRoom(admission, false);
      await admission.register();
      if (this.options.clustered !== true) return;
      try {
        await this.assertRoom(admission, true);
      } catch (err) {
        admission.unregister();
        throw err;
      }
    });
  }

  /** Throws unless the connection fits; `registered` says whether it is counted already. */
  private async assertRoom(admission: Admission, registered: boolean): Promise<void> {
    const { connectionId, principal } = admission;
    const limit = this.options.rateLimits.settings.connectionsPerUser;
    for (const realm of new Set(principal.realms)) {
      let records: ConnectionRecord[];
      try {
        // A connection indexed under both the realm and `*` is listed twice.
        records = [...new Map((await this.options.userConnections(realm, principal.userId)).map((record) => [record.connectionId, record])).values()];
      } catch (err) {
        this.options.logger.warn({ err, realm }, 'connections per user could not be counted; admitting the connection');
        return;
      }
      const others = records.filter((record) => record.connectionId !== connectionId);
      const fits = registered ? rankOf(records, connectionId) < limit : others.length < limit;
      if (fits) continue;
      const retryAfterMs = this.options.rateLimits.settings.connectionRetryAfterMs;
      throw rateLimitedError(
        `Too many connections: user "${principal.userId}" may hold at most ${limit} at once in realm "${realm}"; retry in ${retryAfterMs} ms`,
        { action: 'connections', scope: 'user', limit, retryAfterMs },
      );
    }
  }
}

/** Whether the principal is exempt in every realm its token grants (each is counted otherwise). */
function isExemptEverywhere(rateLimits: RateLimits, principal: Principal): boolean {
  return principal.realms.every((realm) => rateLimits.isExempt(principal, realm));
}

/** The connection's place among the user's connections, oldest first (0 when it is not there). */
function rankOf(records: ConnectionRecord[], connectionId: string): number {
  const own = records.find((record) => record.connectionId === connectionId);
  if (own === undefined) return 0;
  let rank = 0;
  for (const record of records) {
    if (record.connectedAt < own.connectedAt || (record.connectedAt === own.connectedAt && record.connectionId < connectionId)) rank += 1;
  }
  return rank;
}

/**
 * The presence operations a handshake admission registers and undoes (the PresenceService).
 *
 * @example
 * const registry: ConnectionRegistry = presence;
 */
export interface ConnectionRegistry {
  connect(socket: RealtimeSocket): Promise<void>;
  disconnect(connectionId: string): void;
}

/**
 * The Socket.IO middleware that admits a handshake through the limit and registers it in presence
 * (a handshake without a token is admitted by the gateway at its `auth:login`, with the same limit);
 * a refused handshake gets a `connect_error` whose `data` is the typed error
 * (`{ code: 'RATE_LIMITED', message, details: { retryAfterMs, ... } }`).
 *
 * @example
 * io.use(admitConnections(limit, presence));
 */
export function admitConnections(limit: ConnectionLimit, registry: ConnectionRegistry) {
  return (socket: RealtimeSocket, next: (err?: Error) => void): void => {
    // Without a token the connection is quarantined and admitted at its login instead.
    if ((socket.data as Partial<RealtimeSocket['data']>).principal === undefined) {
      next();
      return;
    }
    void limit
      .admit({
        connectionId: socket.id,
        principal: socket.data.principal,
        register: () => registry.connect(socket),
        unregister: () => registry.disconnect(socket.id),
      })
      .then(
        () => next(),
        (err: unknown) => {
          const error = toRealtimeError(err);
          const refusal = new Error(error.message) as Error & { data: unknown };
          refusal.data = error.toJSON();
          next(refusal);
        },
      );
  };
}
