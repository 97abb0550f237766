import { DEFAULT_MAX_ENTITY_DATA_BYTES, InvalidArgumentError } from '../../shared/index.js';

/**
 * Bounds on what clients can make the objects feature hold: every map, set and history that
 * client input can grow has one (`LIMIT_EXCEEDED` or `PAYLOAD_TOO_LARGE` beyond it).
 *
 * @example
 * const limits = resolveObjectLimits({ maxObjectsPerRealm: 50_000 });
 */
export interface ObjectLimits {
  /**
   * Most objects one realm may hold (`OBJECTS_MAX_PER_REALM`); creating one more is `LIMIT_EXCEEDED`.
   * It also bounds what a node loads into memory when a realm's first feed starts.
   * @default 100000
   */
  maxObjectsPerRealm?: number;
  /**
   * Most areas one realm may hold (`OBJECTS_MAX_AREAS_PER_REALM`).
   * @default 10000
   */
  maxAreasPerRealm?: number;
  /**
   * Most realm records (`realm:create`) in the store (`OBJECTS_MAX_REALMS`).
   * @default 10000
   */
  maxRealms?: number;
  /**
   * Largest `data` of an object, an area or a realm after the merge, JSON bytes
   * (`OBJECTS_MAX_DATA_BYTES`); `PAYLOAD_TOO_LARGE` beyond.
   * @default DEFAULT_MAX_ENTITY_DATA_BYTES (16 KiB)
   */
  maxDataBytes?: number;
  /**
   * Most feeds (`objects:subscribe`, `areas:subscribe`, `realms:subscribe`) one connection may hold
   * (`OBJECTS_MAX_FEEDS_PER_CONNECTION`).
   * @default 50
   */
  maxFeedsPerConnection?: number;
  /**
   * Most members one object feed may hold (`OBJECTS_MAX_FEED_MEMBERS`): a subscription whose set
   * would grow past it is refused at subscribe or update, and a feed never reports more.
   * @default 10000
   */
  maxFeedMembers?: number;
  /**
   * Most pub/sub subscriptions one connection may hold (`OBJECTS_MAX_PUBSUB_PER_CONNECTION`).
   * @default 100
   */
  maxPubsubPerConnection?: number;
  /**
   * History entries kept per object (`OBJECTS_HISTORY_MAX_ENTRIES`): the oldest go first.
   * @default 1000
   */
  historyMaxEntries?: number;
  /**
   * How long history entries are kept, ms (`OBJECTS_HISTORY_RETENTION_MS`).
   * @default 604800000 (7 days)
   */
  historyRetentionMs?: number;
  /**
   * Most objects and areas one `realm:search` looks at (`OBJECTS_SEARCH_SCAN_LIMIT`): a search in
   * a bigger realm answers what it found in the first ones (in id order).
   * @default 20000
   */
  searchScanLimit?: number;
}

/** {@link ObjectLimits} with every default applied. */
export type ResolvedObjectLimits = Required<ObjectLimits>;

/** The limits used when none are given. */
export const DEFAULT_OBJECT_LIMITS: ResolvedObjectLimits = {
  maxObjectsPerRealm: 100_000,
  maxAreasPerRealm: 10_000,
  maxRealms: 10_000,
  maxDataBytes: DEFAULT_MAX_ENTITY_DATA_BYTES,
  maxFeedsPerConnection: 50,
  maxFeedMembers: 10_000,
  maxPubsubPerConnection: 100,
  historyMaxEntries: 1000,
  historyRetentionMs: 7 * 24 * 60 * 60 * 1000,
  searchScanLimit: 20_000,
};

/**
 * The limits with defaults applied, each checked to be a positive whole number.
 *
 * @throws InvalidArgumentError naming the first bad field.
 * @example
 * resolveObjectLimits({ historyMaxEntries: 10 }).historyMaxEntries; // 10
 */
export function resolveObjectLimits(limits: ObjectLimits = {}): ResolvedObjectLimits {
  const resolved = { ...DEFAULT_OBJECT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ObjectLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_OBJECT_LIMITS)) throw new InvalidArgumentError(`objects.${key} is not a known limit`);
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`objects.${key} must be a positive whole number`);
    resolved[key] = value;
  }
  return resolved;
}
