import {
  NotFoundError,
  isConnectionLoss,
  syncTopic,
  toRealtimeError,
  withErrorDetails,
  type RealtimeError,
  type RealtimeEvent,
  type SyncDocument,
} from '../shared/index.js';
import type { Disposer } from './emitter.js';
import type { ResubscribeOutcome } from './subscription-manager.js';
import type { SyncHost } from './sync-client.js';

/** The change topics a watcher subscribes to, one per action. */
const ACTIONS = ['created', 'updated', 'deleted'] as const;
type Action = (typeof ACTIONS)[number];

/** Receives a watched document: first its current state, then each newer revision. */
export type DocumentHandler = (document: SyncDocument) => void;

interface WatcherDeps {
  host: SyncHost;
  get: (service: string, id: string) => Promise<SyncDocument>;
}

/**
 * One `client.sync.subscribe(service, id, handler)`.
 *
 * Why this exists: change events and reads race. The watcher subscribes to the document's three
 * change topics (filtered on its id) and reads the document; whatever arrives, the handler only
 * ever sees revisions greater than the last one it saw, so it gets the current document first and
 * then every later change in order, never twice. After a reconnect the subscriptions are re-sent
 * from their streams' positions, and the server replays the change events missed meanwhile. Once
 * all three have answered, the document is read again only when that was not enough: one of them
 * did not report `recovered` (the gap was not covered, or there was no position to resume from),
 * or the handler was never caught up by a read (the watch began offline, or its last read was
 * lost with a connection). When the server revokes the watch (a refreshed token no longer allows
 * reading the document) it stops and reports a `FORBIDDEN` error with `details.document` on the
 * client's `'error'`.
 */
export class DocumentWatcher {
  private lastRevision = 0;
  /**
   * Whether a read caught the handler up after the last gap that replays did not cover; until it
   * has, every reconnect reads the document again.
   */
  private caughtUp = false;
  /** Whether a read is queued or in flight (one that a lost connection ended has settled). */
  private reading = false;
  /** The resubscription outcomes of the current connection round, by action. */
  private round: { number: number; recovered: Map<Action, boolean> } = { number: 0, recovered: new Map() };
  private readonly subscriptionIds: string[];
  private readonly disposers: Disposer[];
  private stopped = false;

  constructor(
    realm: string,
    private readonly service: string,
    private readonly id: string,
    private readonly handler: DocumentHandler,
    private readonly deps: WatcherDeps,
  ) {
    const { host } = deps;
    const onRevoked = (error: RealtimeError): void => this.revoked(error);
    this.subscriptionIds = ACTIONS.map((action) =>
      host.subscribeInternal(
        realm,
        { topic: syncTopic(service, action), filter: { id }, returnMode: 'full' },
        {
          onRevoked,
          onResubscribed: (outcome) => this.resubscribed(action, outcome),
        },
      ),
    );
    this.disposers = [host.onSyncEvent(realm, (event) => this.onEvent(event))];
    // Made while connecting, the read waits in the request queue, which goes out right after the
    // subscriptions (so the read sees the document no earlier than they do); made while
    // deliberately offline it fails at once, and the first connection's round reads instead.
    this.refresh();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const dispose of this.disposers) dispose();
    for (const subscriptionId of this.subscriptionIds) this.deps.host.unsubscribe(subscriptionId);
  }

  /**
   * The server ended a subscription of this watch (a refreshed token may no longer read the
   * document, or lost the realm): the watch stops, and the client's `'error'` hears it once, with
   * `details.document`.
   */
  private revoked(error: RealtimeError): void {
    if (this.stopped) return;
    this.stop();
    this.deps.host.reportError(withErrorDetails(error, { document: { service: this.service, id: this.id } }));
  }

  /**
   * One change topic was re-sent on a new connection; once all three of the round have answered,
   * the document is read again unless their replays caught the handler up.
   */
  private resubscribed(action: Action, { recovered, round }: ResubscribeOutcome): void {
    if (this.stopped || round < this.round.number) return;
    if (round > this.round.number) this.round = { number: round, recovered: new Map() };
    this.round.recovered.set(action, recovered);
    if (this.round.recovered.size < ACTIONS.length) return;
    if ([...this.round.recovered.values()].includes(false)) this.caughtUp = false;
    if (!this.caughtUp) this.refresh();
  }

  private onEvent(event: RealtimeEvent): void {
    const document = event.payload as unknown as SyncDocument;
    if (document.service !== this.service || document.id !== this.id) return;
    this.deliver(document);
  }

  private refresh(): void {
    // A read already on its way (queued for this connection's round) catches the handler up too.
    if (this.reading) return;
    this.reading = true;
    this.deps.get(this.service, this.id).then(
      (document) => {
        this.reading = false;
        this.caughtUp = true;
        this.deliver(document);
      },
      (err: unknown) => {
        this.reading = false;
        if (this.stopped) return;
        // Not created yet: its creation event will arrive through the subscription.
        if (err instanceof NotFoundError) {
          this.caughtUp = true;
          return;
        }
        const error = toRealtimeError(err);
        if (isConnectionLoss(error)) return; // read again on reconnect (caughtUp stays false)
        this.deps.host.reportError(error);
      },
    );
  }

  private deliver(document: SyncDocument): void {
    if (this.stopped || document.revision <= this.lastRevision) return;
    this.lastRevision = document.revision;
    try {
      this.handler(document);
    } catch (err) {
      this.deps.host.reportError(toRealtimeError(err));
    }
  }
}
