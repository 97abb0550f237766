import type { Ack } from './ack.js';
import type { HasProviderRequest, ListenKind, ListenRequest } from './schemas/listening-schemas.js';

/** What `listen:add` and `listen:remove` answer. */
export interface ListenResult {
  realm: string;
  kind: ListenKind;
  pattern: string;
}

/** What `listen:has-provider` answers. */
export interface HasProviderResult {
  realm: string;
  kind: ListenKind;
  name: string;
  hasProvider: boolean;
}

/**
 * A stream offered to a listener (`listen:offer`, server → client): somebody subscribes to
 * `name`, which matches the listener's `pattern`, and nobody provides it. The listener
 * acknowledges `{ accepted: true }` to become its one provider, or `{ accepted: false }` to let
 * another listener take it.
 */
export interface ListenOffer {
  realm: string;
  kind: ListenKind;
  pattern: string;
  name: string;
}

/** A listener's answer to an offer. */
export interface ListenOfferAnswer {
  accepted: boolean;
}

/**
 * Why a provider was told to stop (`listen:stop`): the last subscriber left (`no-subscribers`),
 * or another listener holds the stream (`taken`: it accepted a moment too late).
 */
export type ListenStopReason = 'no-subscribers' | 'taken';

/** `listen:stop` (server → client): this connection no longer provides `name`. */
export interface ListenStopNotice extends ListenOffer {
  reason: ListenStopReason;
}

/** `listen:provider` (server → subscribers): whether a stream they subscribe to has a provider now. */
export interface ProviderChangedNotice {
  realm: string;
  kind: ListenKind;
  name: string;
  hasProvider: boolean;
}

/** Listening requests a client sends. */
export interface ListeningClientEvents {
  'listen:add': (request: ListenRequest, ack: Ack<ListenResult>) => void;
  'listen:remove': (request: ListenRequest, ack: Ack<ListenResult>) => void;
  'listen:has-provider': (request: HasProviderRequest, ack: Ack<HasProviderResult>) => void;
}

/** The names of {@link ListeningClientEvents}. */
export const LISTENING_CLIENT_EVENTS = ['listen:add', 'listen:remove', 'listen:has-provider'] as const satisfies ReadonlyArray<keyof ListeningClientEvents>;

/** Listening events the server sends. */
export interface ListeningServerEvents {
  'listen:offer': (offer: ListenOffer, ack: (answer: ListenOfferAnswer) => void) => void;
  'listen:stop': (notice: ListenStopNotice) => void;
  'listen:provider': (notice: ProviderChangedNotice) => void;
}
