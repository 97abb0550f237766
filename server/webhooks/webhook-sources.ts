import type { ObjectChangeRelay, PresenceEvent, RealtimeEvent } from '../../shared/index.js';
import type { SentMessage } from '../channels/channel-messenger.js';
import type { ConnectionEvent } from '../gateway/realtime-gateway.js';
import type { EndpointDirectory } from './endpoint-directory.js';
import { connectionDrafts, messageDraft, objectDraft, presenceDraft, publishedDraft } from './webhook-events.js';
import type { WebhookIntake } from './webhook-intake.js';

/**
 * The hooks webhooks listen to on the realtime path; each registration returns its disposer.
 * (`EventPublisher`, `ChannelMessenger`, `PresenceService` and `RealtimeGateway` provide them.)
 */
export interface SourceHooks {
  publisher: { onPublished(listener: (event: RealtimeEvent) => void): () => void };
  messenger: { onSent(listener: (sent: SentMessage) => void): () => void };
  presence: { onPresenceEvent(listener: (event: PresenceEvent) => void): () => void };
  gateway: { onConnectionEvent(listener: (change: ConnectionEvent) => void): () => void };
  /** Object and area changes (`ObjectBus`); only those made on this node (`local`) become webhooks. */
  objects: { onChange(listener: (change: ObjectChangeRelay, local: boolean) => void): () => void };
}

/**
 * Connects the realtime path to the {@link WebhookIntake}. Every listener runs synchronously inside
 * a publish, a message, a presence change or a connect, so each one only checks whether the realm
 * has endpoints (a map lookup), builds the event, and hands it over; it never throws and never
 * waits.
 *
 * @example
 * const sources = new WebhookSources(intake, directory, newId, Date.now, (err) => logger.error({ err }));
 * sources.attach({ publisher, messenger, presence, gateway, objects: objectBus });
 */
export class WebhookSources {
  private disposers: (() => void)[] = [];

  constructor(
    private readonly intake: WebhookIntake,
    private readonly directory: EndpointDirectory,
    private readonly newId: () => string,
    private readonly now: () => number,
    private readonly report: (err: unknown) => void,
  ) {}

  /** Registers every listener; returns a function that removes them. */
  attach(hooks: SourceHooks): () => void {
    const wants = (realm: string): boolean => this.directory.mayHaveEndpoints(realm);
    const guarded =
      <T>(listener: (value: T) => void) =>
      (value: T): void => {
        try {
          listener(value);
        } catch (err) {
          this.report(err);
        }
      };
    const disposers = [
      hooks.publisher.onPublished(
        guarded((event) => {
          if (wants(event.metadata.realm)) this.intake.offer(publishedDraft(event));
        }),
      ),
      hooks.messenger.onSent(
        guarded((sent) => {
          if (wants(sent.message.realm)) this.intake.offer(messageDraft(sent, this.newId));
        }),
      ),
      hooks.presence.onPresenceEvent(
        guarded((event) => {
          if (wants(event.realm)) this.intake.offer(presenceDraft(event, this.newId, this.now()));
        }),
      ),
      hooks.objects.onChange((change, local) =>
        guarded((made: ObjectChangeRelay) => {
          if (!local || made.kind === 'pubsub' || !wants(made.realm)) return;
          const draft = objectDraft(made, this.newId, this.now());
          if (draft !== undefined) this.intake.offer(draft);
        })(change),
      ),
      hooks.gateway.onConnectionEvent(
        guarded((change) => {
          if (!change.principal.realms.some(wants)) return;
          for (const draft of connectionDrafts(change, this.newId, this.now())) this.intake.offer(draft);
        }),
      ),
    ];
    this.disposers.push(...disposers);
    return () => {
      for (const dispose of disposers) dispose();
      this.disposers = this.disposers.filter((dispose) => !disposers.includes(dispose));
    };
  }

  /** Removes every listener. */
  detach(): void {
    for (const dispose of this.disposers) dispose();
    this.disposers = [];
  }
}
