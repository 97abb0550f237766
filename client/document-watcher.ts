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
import type { SyncHost } from './sync-client.js';

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
 * and the document is read again, which catches up on anything missed while offline. When the
 * server revokes the watch (a refreshed token no longer allows reading the document) it stops and
 * reports a `FORBIDDEN` error with `details.document` on the client's `'error'`.
 */
export class DocumentWatcher {
  private lastRevision = 0;
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
    this.subscriptionIds = (['created', 'updated', 'deleted'] as const).map((action) =>
      host.subscribeInternal(realm, { topic: syncTopic(service, action), filter: { id }, returnMode: 'full' }, onRevoked),
    );
    this.disposers = [host.onSyncEvent(realm, (event) => this.onEvent(event)), host.onReconnected(() => this.refresh())];
    if (host.isConnected()) this.refresh();
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

  private onEvent(event: RealtimeEvent): void {
    const document = event.payload as unknown as SyncDocument;
    if (document.service !== this.service || document.id !== this.id) return;
    this.deliver(document);
  }

  private refresh(): void {
    this.deps.get(this.service, this.id).then(
      (document) => this.deliver(document),
      (err: unknown) => {
        // Not created yet: its creation event will arrive through the subscription.
        if (this.stopped || err instanceof NotFoundError) return;
        const error = toRealtimeError(err);
        if (isConnectionLoss(error)) return; // retried on reconnect
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
