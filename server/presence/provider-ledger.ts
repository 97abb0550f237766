import { isPattern, matchesPattern, type ConnectionStatusChange, type ObjectPresence } from '../../shared/index.js';

/**
 * Data-provider presence of one realm: which connections provide which id patterns (from the
 * `dpv` claim), and which objects are therefore `connected`.
 *
 * Why this exists: providers and objects are n:m, and patterns overlap (`riders/*` covers
 * `riders/7`). An id is `connected` while at least one live provider pattern covers it. A status
 * event fires only when that truth changes for an entry someone named: when a pattern (or exact
 * id) gains its first provider and nothing else already covered it, and when the last pattern
 * covering a named entry goes away. Named entries stay tracked while they are covered, so an
 * exact id that outlives its own provider under a wildcard still gets its `disconnected` event
 * when the wildcard's provider leaves. The ledger is pure (no I/O) so that every store
 * implementation computes the same events.
 *
 * @example
 * const ledger = new ProviderLedger();
 * ledger.add('c1', ['riders/*']); // [{ id: 'riders/*', connectionStatus: 'connected' }]
 * ledger.presence('riders/7').connectionStatus; // 'connected'
 */
export class ProviderLedger {
  /** Live key (pattern or exact id, as written in `dpv`) → connections providing it. */
  private readonly byKey = new Map<string, Set<string>>();
  /** The live keys that are patterns, to check coverage without scanning exact ids. */
  private readonly wildcards = new Set<string>();
  private readonly byConnection = new Map<string, string[]>();
  /** Named entries that are currently `connected`. */
  private readonly connected = new Set<string>();

  /** Whether no connection provides anything. */
  get isEmpty(): boolean {
    return this.byConnection.size === 0;
  }

  /** Whether a connection provides anything. */
  provides(connectionId: string): boolean {
    return this.byConnection.has(connectionId);
  }

  /** The connections registered as providers. */
  connections(): string[] {
    return [...this.byConnection.keys()];
  }

  /** Registers `patterns` for a connection (adding to any it already has); answers the changes. */
  add(connectionId: string, patterns: string[]): ConnectionStatusChange[] {
    const own = this.byConnection.get(connectionId) ?? [];
    // Wildcards first, so that exact ids they cover do not announce themselves separately.
    const fresh = [...new Set(patterns)].filter((key) => !own.includes(key)).sort((a, b) => Number(isPattern(b)) - Number(isPattern(a)));
    if (fresh.length === 0) return [];
    this.byConnection.set(connectionId, [...own, ...fresh]);
    const changes: ConnectionStatusChange[] = [];
    for (const key of fresh) {
      const alreadyCovered = this.covers(key);
      let providers = this.byKey.get(key);
      if (providers === undefined) this.byKey.set(key, (providers = new Set()));
      providers.add(connectionId);
      if (isPattern(key)) this.wildcards.add(key);
      if (this.connected.has(key)) continue;
      this.connected.add(key);
      if (!alreadyCovered) changes.push({ id: key, connectionStatus: 'connected' });
    }
    return changes;
  }

  /** Removes a connection's registrations; answers the entries that became `disconnected`. */
  remove(connectionId: string): ConnectionStatusChange[] {
    return this.removeKeys(connectionId, this.byConnection.get(connectionId) ?? []);
  }

  /**
   * Removes some of a connection's registrations (a refreshed token provides less); answers the
   * entries that became `disconnected`. Keys the connection does not provide are ignored.
   */
  removeKeys(connectionId: string, keys: readonly string[]): ConnectionStatusChange[] {
    const own = this.byConnection.get(connectionId);
    if (own === undefined) return [];
    const removing = new Set(keys);
    const gone = own.filter((key) => removing.has(key));
    if (gone.length === 0) return [];
    const kept = own.filter((key) => !removing.has(key));
    if (kept.length === 0) this.byConnection.delete(connectionId);
    else this.byConnection.set(connectionId, kept);
    const dead: string[] = [];
    for (const key of gone) {
      const providers = this.byKey.get(key);
      if (providers === undefined) continue;
      providers.delete(connectionId);
      if (providers.size > 0) continue;
      this.byKey.delete(key);
      this.wildcards.delete(key);
      dead.push(key);
    }
    if (dead.length === 0) return [];
    const changes: ConnectionStatusChange[] = [];
    for (const entry of [...this.connected]) {
      const affected = dead.some((key) => key === entry || (isPattern(key) && matchesPattern(key, entry)));
      if (!affected || this.covers(entry)) continue;
      this.connected.delete(entry);
      changes.push({ id: entry, connectionStatus: 'disconnected' });
    }
    return changes;
  }

  /** The presence of an id (or a pattern, covered when a live pattern covers its text). */
  presence(id: string): ObjectPresence {
    const providers = new Set<string>();
    for (const connectionId of this.byKey.get(id) ?? []) providers.add(connectionId);
    for (const pattern of this.wildcards) {
      if (pattern === id || !matchesPattern(pattern, id)) continue;
      for (const connectionId of this.byKey.get(pattern) ?? []) providers.add(connectionId);
    }
    return { id, connectionStatus: providers.size > 0 ? 'connected' : 'disconnected', providerCount: providers.size };
  }

  /** Whether a live key covers `entry`: the same key, or a live pattern matching its text. */
  private covers(entry: string): boolean {
    if ((this.byKey.get(entry)?.size ?? 0) > 0) return true;
    for (const pattern of this.wildcards) {
      if (pattern !== entry && matchesPattern(pattern, entry)) return true;
    }
    return false;
  }
}
