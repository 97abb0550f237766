import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  documentIdSchema,
  serviceSchema,
  parseInput,
  type ClientToServerEvents,
  type DocumentListPage,
  type Mutation,
  type RealtimeError,
  type RealtimeEvent,
  type RequestOf,
  type ResultOf,
  type SyncDocument,
  type SyncWriteResult,
} from '../shared/index.js';
import { backoffDelay } from './backoff.js';
import { DocumentWatcher, type DocumentHandler } from './document-watcher.js';
import type { Disposer } from './emitter.js';
import { jsonEqual } from './json-equal.js';
import type { MergeStrategy } from './merge-strategy.js';
import { rateLimitWait } from './rate-limit-wait.js';
import type { SubscribeOptions, SubscriptionOwner } from './subscription-manager.js';

/** What the sync client needs from the client that owns the connection. */
export interface SyncHost {
  request<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>): Promise<ResultOf<E>>;
  /**
   * An internal subscription: its events reach `onSyncEvent` listeners, not the user's `'event'`
   * listeners; `owner.onRevoked` hears of the server ending it (a refreshed token no longer allows
   * it), `owner.onResubscribed` how each resubscription after a (re)connection went.
   */
  subscribeInternal(realm: string, options: SubscribeOptions, owner: SubscriptionOwner): string;
  unsubscribe(subscriptionId: string): void;
  /** Every sync event of a realm. */
  onSyncEvent(realm: string, handler: (event: RealtimeEvent) => void): Disposer;
  reportError(error: RealtimeError): void;
  /** How long `update()` retries by default, ms (the client's `updateTimeout`). */
  updateTimeout(): number;
  /** The client's `mergeStrategy` option, for services without their own. */
  defaultMergeStrategy(): MergeStrategy | undefined;
}

/** Expiry for `create`: a Unix time in ms, or seconds from now. */
export interface ExpiryOptions {
  expiresAt?: number;
  ttl?: number;
}

/** Options of {@link SyncClient.update}. */
export interface UpdateOptions {
  /**
   * How long, ms from the call, `update()` keeps retrying after a `CONFLICT` (with jittered
   * exponential backoff) or a `RATE_LIMITED` refusal (after its `retryAfterMs`); once the next
   * retry would start after it, the last error (`ConflictError` or `LimitExceededError`) is
   * thrown. Requests already sent are not cut short.
   * @default the client's `updateTimeout` option (30000)
   */
  timeout?: number;
  /**
   * Most attempts (writes) before the last `CONFLICT` is thrown, whatever the time left. Writes
   * the server refused with `RATE_LIMITED` never took place and do not count.
   * @default Infinity (only `timeout` bounds the retries)
   */
  maxAttempts?: number;
}

/**
 * The exponential ceiling of the wait between `update()` attempts (2 ms, doubling, at most 100 ms);
 * each wait is drawn from 0 to it ("full jitter").
 */
const UPDATE_BACKOFF = { baseDelay: 2, maxDelay: 100, randomizationFactor: 0 } as const;

/**
 * How many times one write runs its merge strategy before the last `ConflictError` is thrown
 * (each round lost a race to yet another writer).
 */
export const MAX_MERGE_ROUNDS = 10;

/**
 * Revisioned JSON documents: `client.sync`. Every write answers the stored document with its new
 * revision (only its metadata, without `data`, when the token may not read it); a write given
 * `expectedRevision` fails with `ConflictError` (carrying the current document in
 * `details.current`, again without `data` for a token without `R`) when someone else wrote first.
 * Over the server's `writes` rate limits a write rejects with `LimitExceededError`
 * (`code: 'RATE_LIMITED'`, `err.retryAfterMs`) and is not re-sent by itself (`update(fn)` waits
 * and retries within its deadline); reads are not rate limited.
 *
 * @example
 * const note = await client.sync.create('notes', { title: 'Plan' });
 * await client.sync.merge('notes', note.id, { done: true }, note.revision);
 * const off = client.sync.subscribe('notes', note.id, (doc) => render(doc));
 */
export class SyncClient {
  private readonly strategies = new Map<string, MergeStrategy>();

  constructor(
    private readonly realm: string,
    private readonly host: SyncHost,
  ) {}

  /**
   * Creates a document (revision 1); `id` is generated when absent. Needs `C`. Like every write, it
   * answers the document, or only its metadata (no `data`) when the token may not read it (`R`).
   */
  create(service: string, data: Record<string, unknown>, id?: string, options: ExpiryOptions = {}): Promise<SyncWriteResult> {
    return this.send('sync:create', { realm: this.realm, service: checkService(service), data, ...(id === undefined ? {} : { id: checkId(id) }), ...options });
  }

  /** Reads a document; `NotFoundError` when missing, deleted (unless `includeDeleted`) or expired. Needs `R`. */
  get(service: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<SyncDocument> {
    return this.send('sync:get', { realm: this.realm, service: checkService(service), id: checkId(id), ...options });
  }

  /**
   * Live documents the token may read, ordered by id, `limit` (default 100, at most 1000) per page;
   * pass `nextCursor` (the id of the page's last item) as `after`.
   */
  list(service: string, options: { limit?: number; after?: string } = {}): Promise<DocumentListPage> {
    return this.send('sync:list', { realm: this.realm, service: checkService(service), ...options });
  }

  /**
   * Replaces the whole data. Needs `U`. With `expectedRevision`, a `CONFLICT` goes through the
   * service's merge strategy when it has one ({@link setMergeStrategy}, else the client's
   * `mergeStrategy` option): the strategy's data is written over the newer revision.
   */
  replace(service: string, id: string, data: Record<string, unknown>, expectedRevision?: number): Promise<SyncWriteResult> {
    if (expectedRevision === undefined) return this.send('sync:replace', { ...this.address(service, id), data });
    return this.resolving(service, id, data, expectedRevision, () => this.send('sync:replace', { ...this.address(service, id), data, expectedRevision }));
  }

  /**
   * Writes the whole data whether or not the document exists (deepstream's record write): with
   * `expectedRevision` 0 it creates the document, with a revision it replaces that revision; a
   * newer revision (or a document created meanwhile) goes through the merge strategy as in
   * {@link replace}, and without one the `ConflictError` (or `AlreadyExistsError`) is thrown.
   * Without `expectedRevision` it is a forced write: created, or replaced whatever is stored.
   * Needs `C` to create, `U` to replace (and `R` for a strategy to see the remote data).
   *
   * @example
   * const doc = await client.sync.save('records', 'user.lisa', { name: 'Lisa' }, 0);
   * await client.sync.save('records', 'user.lisa', { name: 'Lisa M.' }, doc.revision);
   */
  save(service: string, id: string, data: Record<string, unknown>, expectedRevision?: number): Promise<SyncWriteResult> {
    if (expectedRevision !== undefined && !(Number.isInteger(expectedRevision) && expectedRevision >= 0)) {
      throw new InvalidArgumentError('expectedRevision must be a non-negative integer');
    }
    if (expectedRevision === undefined) {
      return this.create(service, data, id).catch((err: unknown) => {
        if (err instanceof AlreadyExistsError) return this.replace(service, id, data);
        throw err;
      });
    }
    if (expectedRevision > 0) return this.replace(service, id, data, expectedRevision);
    return this.resolving(service, id, data, 0, async () => {
      try {
        return await this.create(service, data, id);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        // Created meanwhile: a conflict like any other, with the document as it is now.
        const current = await this.get(service, id);
        throw new ConflictError(`Document ${service}/${id} was created meanwhile (revision ${current.revision})`, { details: { current }, cause: err });
      }
    });
  }

  /**
   * Sets how `replace` and `save` writes with an expected revision resolve a `CONFLICT` in
   * `service` (`undefined` removes it, back to the client's `mergeStrategy` option).
   *
   * @example
   * client.sync.setMergeStrategy('notes', MergeStrategies.localWins);
   */
  setMergeStrategy(service: string, strategy: MergeStrategy | undefined): void {
    const name = checkService(service);
    if (strategy === undefined) this.strategies.delete(name);
    else if (typeof strategy === 'function') this.strategies.set(name, strategy);
    else throw new InvalidArgumentError('A merge strategy must be a function');
  }

  /** Deep-merges (RFC 7386: objects merge, `null` removes a key, anything else replaces). Needs `U`. */
  merge(service: string, id: string, data: Record<string, unknown>, expectedRevision?: number): Promise<SyncWriteResult> {
    return this.send('sync:merge', { ...this.address(service, id), data, ...revision(expectedRevision) });
  }

  /** Applies `set` / `increment` / `remove` / `append` mutations atomically, as one revision. Needs `U`. */
  mutate(service: string, id: string, mutations: Mutation[], expectedRevision?: number): Promise<SyncWriteResult> {
    return this.send('sync:mutate', { ...this.address(service, id), mutations, ...revision(expectedRevision) });
  }

  /** Soft-deletes (`deleted: true`, revision + 1). Needs `D`. */
  delete(service: string, id: string, expectedRevision?: number): Promise<SyncWriteResult> {
    return this.send('sync:delete', { ...this.address(service, id), ...revision(expectedRevision) });
  }

  /**
   * Read, apply `fn` to a copy of the data, write it back with the revision read; on `CONFLICT`,
   * wait a random delay under an exponentially growing ceiling (2 ms, doubling, at most 100 ms),
   * read the document again and apply `fn` to it, until the write wins or `timeout` (default: the
   * client's `updateTimeout`, 30 s) has passed, when the last `ConflictError` is thrown. A write
   * refused with `RATE_LIMITED` (the server's `writes` rate limits) is tried again the same way,
   * after the server's `retryAfterMs` (plus up to 20% jitter), until the same deadline. `fn` may
   * run several times; it should only compute. Needs `R` and `U`.
   *
   * Why the backoff and the fresh read: writers that lose a race and retry at once mostly lose
   * again to each other, and a document read before waiting is stale after it. Spread out, each
   * retry reads what is current just before writing, so many writers on one document all finish
   * (100 writers × 100 updates on one document: every update lands).
   *
   * @example
   * await client.sync.update('counters', 'visits', (data) => ({ ...data, n: (data.n as number) + 1 }));
   */
  async update(
    service: string,
    id: string,
    fn: (data: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>,
    options: UpdateOptions = {},
  ): Promise<SyncWriteResult> {
    const maxAttempts = options.maxAttempts ?? Infinity;
    if (!(maxAttempts === Infinity || (Number.isInteger(maxAttempts) && maxAttempts >= 1))) {
      throw new InvalidArgumentError('maxAttempts must be a positive integer or Infinity');
    }
    const timeout = options.timeout ?? this.host.updateTimeout();
    if (!(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout))) {
      throw new InvalidArgumentError('timeout must be a non-negative number of ms');
    }
    const deadline = Date.now() + timeout;
    let current = await this.get(service, id);
    for (let attempt = 1; ; attempt += 1) {
      const next = await fn(structuredClone(current.data));
      try {
        // Not through the merge strategy: a conflict re-runs fn on the fresh data instead.
        return await this.send('sync:replace', { ...this.address(service, id), data: next, expectedRevision: current.revision });
      } catch (err) {
        const rateLimited = rateLimitWait(err);
        if (rateLimited !== undefined) {
          // Refused before it was tried: no attempt used, but the document may move meanwhile.
          if (Date.now() + rateLimited > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, rateLimited));
          attempt -= 1;
          current = await this.get(service, id);
          continue;
        }
        if (!(err instanceof ConflictError) || attempt >= maxAttempts) throw err;
        // Full jitter: anywhere from 0 to the exponential delay.
        const wait = Math.round(Math.random() * backoffDelay(attempt, UPDATE_BACKOFF));
        if (Date.now() + wait > deadline) throw err;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // The conflict's document is the latest only if no time passed since it arrived.
        current = (wait === 0 ? currentOf(err) : undefined) ?? (await this.get(service, id));
      }
    }
  }

  /**
   * Watches one document: `handler` receives the current document first (once it exists), then
   * every change in revision order (`deleted: true` on deletion); after a reconnect it catches up
   * to the latest revision by itself. Errors (e.g. `FORBIDDEN`) go to the client's `'error'`.
   * Returns the function that stops watching.
   */
  subscribe(service: string, id: string, handler: DocumentHandler): Disposer {
    const watcher = new DocumentWatcher(this.realm, checkService(service), checkId(id), handler, {
      host: this.host,
      get: (s, i) => this.get(s, i, { includeDeleted: true }),
    });
    return () => watcher.stop();
  }

  /**
   * Runs `write`; on a `CONFLICT` carrying the current data, asks the merge strategy for the data
   * to write and writes it over that revision, up to {@link MAX_MERGE_ROUNDS} times.
   */
  private async resolving(
    service: string,
    id: string,
    local: Record<string, unknown>,
    localRevision: number,
    write: () => Promise<SyncWriteResult>,
  ): Promise<SyncWriteResult> {
    let attempt = write;
    for (let round = 1; ; round += 1) {
      try {
        return await attempt();
      } catch (err) {
        const strategy = this.strategies.get(service) ?? this.host.defaultMergeStrategy();
        const remote = err instanceof ConflictError ? currentOf(err) : undefined;
        if (strategy === undefined || remote === undefined || round > MAX_MERGE_ROUNDS) throw err;
        const merged = await strategy({ service, id, local: structuredClone(local), localRevision, remote: structuredClone(remote) });
        if (merged === undefined) throw err; // the strategy leaves this one to the caller
        if (jsonEqual(merged, remote.data)) return remote;
        attempt = () => this.send('sync:replace', { ...this.address(service, id), data: merged, expectedRevision: remote.revision });
      }
    }
  }

  private address(service: string, id: string) {
    return { realm: this.realm, service: checkService(service), id: checkId(id) };
  }

  private send<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>): Promise<ResultOf<E>> {
    return this.host.request(event, payload);
  }
}

/** A service name, checked with the server's schema (`shared/schemas/`). */
function checkService(service: string): string {
  return parseInput(serviceSchema, service, 'service');
}

/** A document id, checked with the server's schema. */
function checkId(id: string): string {
  return parseInput(documentIdSchema, id, 'document id');
}

function revision(expectedRevision: number | undefined): { expectedRevision?: number } {
  return expectedRevision === undefined ? {} : { expectedRevision };
}

/** The current document a `CONFLICT` carries, when it carries the data (the caller may read it). */
function currentOf(err: ConflictError): SyncDocument | undefined {
  const current = (err.details as { current?: SyncDocument } | undefined)?.current;
  if (current === undefined || typeof current !== 'object' || current === null) return undefined;
  const hasData = typeof current.data === 'object' && current.data !== null;
  return typeof current.revision === 'number' && hasData ? current : undefined;
}
