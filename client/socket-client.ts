import {
  errorFromShape,
  InvalidArgumentError,
  UnavailableError,
  withErrorDetails,
  isRetryable,
  isValidObjectId,
  toRealtimeError,
  type ChannelMessage,
  type ChannelRevokedNotice,
  type ConnectionStatus,
  type DirectMessage,
  type DocumentRef,
  type DocumentRevokedNotice,
  type PresenceEvent,
  type PresenceMember,
  type PresenceState,
  type PresenceTarget,
  type PresenceTargetRequest,
  type RealtimeError,
} from '../shared/index.js';
import { Emitter, type Disposer } from './emitter.js';
import { rateLimitWait } from './rate-limit-wait.js';
import { StreamPositions } from './stream-positions.js';
import { assertChannel, assertDocument, assertEvent, assertState, documentKey, targetFields } from './socket-client-arguments.js';
import type { RequestManager } from './request-manager.js';

/**
 * What `socketClient.on()` listens to: channel messages, direct messages and presence changes.
 *
 * @example
 * client.socketClient.on('message', ({ channel, event, data, from }) => console.log(channel, event, data, from.userId));
 */
export interface SocketClientEvents {
  message: ChannelMessage;
  direct: DirectMessage;
  presence: PresenceEvent;
  /**
   * A channel was re-joined after a reconnect and the messages missed meanwhile were delivered
   * (the server sends them before any live one); `recovered: false` means the channel's history
   * no longer covered the gap.
   */
  rejoined: { channel: string; recovered: boolean };
}

/** Options of `joinChannel()` and `openDocument()`. */
export interface PresenceOptions {
  /** This member's initial presence state (a small JSON object; needs `P`). */
  state?: PresenceState;
}

/** Options of `socketClient.publish()`. */
export interface ChannelPublishOptions {
  /**
   * Do not deliver the message back to this connection.
   * @default false
   */
  excludeSelf?: boolean;
}

/**
 * What `joinChannel()` resolves with. `presence` is false when the token lacks `P` on the channel:
 * the connection receives messages but does not appear in (or see) presence, and `members` is
 * absent.
 */
export interface JoinedChannel {
  channel: string;
  member: PresenceMember;
  presence: boolean;
  members?: PresenceMember[];
}

/** What `openDocument()` resolves with: this member and everyone who has the document open. */
export interface OpenedDocument {
  document: DocumentRef;
  member: PresenceMember;
  members: PresenceMember[];
}

/** What `directMessage()` resolves with: how many connections the message was sent to. */
export interface DirectMessageResult {
  recipients: number;
}

/** What a {@link SocketClient} needs from the client that owns the connection. */
export interface SocketClientHost {
  requests: RequestManager;
  /** This connection's id, while connected. */
  connectionId(): string | undefined;
  reportError(error: RealtimeError): void;
}

/**
 * Channels, direct messages and presence in one realm, over the client's connection
 * (`client.socketClient`, or `client.realm(id).socketClient`).
 *
 * Joined channels and open documents are re-joined automatically after a reconnect, with the
 * last presence state this client set. A re-join refused with `RATE_LIMITED` (the server's
 * `presence` rate limits) is sent again after the server's `retryAfterMs`, for as long as the
 * connection lasts; a re-join the server refuses otherwise is dropped and reported on the
 * client's `'error'` with `details.channel` (or `details.document`), and so is a channel or
 * document the server takes away when a refreshed token no longer allows it (`FORBIDDEN`).
 * Joins, leaves, opens, closes and presence updates the application makes are never re-sent by
 * themselves: over the limits they reject with `LimitExceededError` (`RATE_LIMITED`,
 * `err.retryAfterMs`).
 *
 * @example
 * const sc = client.socketClient;
 * sc.on('message', ({ channel, event, data, from }) => console.log(channel, event, data, from.userId));
 * await sc.joinChannel('chat:room1');
 * await sc.publish('chat:room1', 'message', { text: 'Hello everyone!' });
 */
export class SocketClient {
  private readonly emitter: Emitter<SocketClientEvents>;
  private readonly channels = new Map<string, ChannelEntry>();
  /** Where each joined channel's message stream was last seen, to resume after a reconnect. */
  private readonly positions = new StreamPositions();
  private readonly documents = new Map<string, DocumentEntry>();
  /** Re-joins refused with `RATE_LIMITED`, waiting to be sent again. */
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();
  /** Which connection's re-join is current: a reconnect starts a new one, abandoning older retries. */
  private rejoinRound = 0;
  private destroyed = false;

  constructor(
    /** The realm this socket client works in. */
    readonly realm: string,
    private readonly host: SocketClientHost,
  ) {
    this.emitter = new Emitter<SocketClientEvents>((err) => host.reportError(toRealtimeError(err)));
  }

  /** This connection's id (what others pass to `directMessage`); undefined while not connected. */
  get id(): string | undefined {
    return this.host.connectionId();
  }

  /** The channels this client has joined (and re-joins after a reconnect). */
  joinedChannels(): string[] {
    return [...this.channels.keys()];
  }

  /**
   * Joins a channel (needs `R` on `channel/<name>`); resolves once the server confirms, with the
   * current members when this connection appears in presence (`P`).
   */
  async joinChannel(channel: string, options: PresenceOptions = {}): Promise<JoinedChannel> {
    this.assertUsable();
    assertChannel(channel);
    const result = await this.host.requests.request('channel:join', {
      realm: this.realm,
      channel,
      ...(options.state === undefined ? {} : { state: options.state }),
    });
    // Re-joins restore the state the server holds (a repeated join does not replace it).
    this.channels.set(channel, result.presence ? rejoinState(result.member.state) : {});
    if (result.position !== undefined) this.positions.note(this.realm, channelStream(channel), result.position);
    return {
      channel: result.channel,
      member: result.member,
      presence: result.presence,
      ...(result.members === undefined ? {} : { members: result.members }),
    };
  }

  /** Leaves a channel; resolves once the server confirms. Leaving a channel not joined is harmless. */
  async leaveChannel(channel: string): Promise<void> {
    this.assertUsable();
    assertChannel(channel);
    this.channels.delete(channel);
    await this.host.requests.request('channel:leave', { realm: this.realm, channel });
  }

  /**
   * Publishes to every member of a channel (needs `C` on `channel/<name>`; with the `client` role,
   * this connection must have joined the channel, else `ForbiddenError`), this connection included
   * unless `excludeSelf`.
   */
  async publish(channel: string, event: string, data?: unknown, options: ChannelPublishOptions = {}): Promise<void> {
    this.assertUsable();
    assertChannel(channel);
    assertEvent(event);
    await this.host.requests.request('channel:publish', {
      realm: this.realm,
      channel,
      event,
      data,
      ...(options.excludeSelf === true ? { excludeSelf: true } : {}),
    });
  }

  /**
   * Sends a direct message to one connection (by its id) or to every connection of a user in this
   * realm (`{ userId }`); needs `C` on `user/<userId>`. Rejects with `NotFoundError` when there is
   * no such connection.
   */
  async directMessage(target: string | { userId: string }, event: string, data?: unknown): Promise<DirectMessageResult> {
    this.assertUsable();
    assertEvent(event);
    let recipient: { connectionId: string } | { userId: string };
    if (typeof target === 'string' && target !== '') recipient = { connectionId: target };
    else if (typeof target === 'object' && target !== null && typeof target.userId === 'string' && target.userId !== '') {
      recipient = { userId: target.userId };
    } else {
      throw new InvalidArgumentError('directMessage() needs a connection id or { userId }');
    }
    const result = await this.host.requests.request('direct:send', { realm: this.realm, ...recipient, event, data });
    return { recipients: result.recipients };
  }

  /** The current members of a channel (by name) or of a document (`{ service, id }`); needs `P`. */
  async members(target: PresenceTarget): Promise<PresenceMember[]> {
    this.assertUsable();
    const result = await this.host.requests.request('presence:list', { realm: this.realm, ...targetFields(target) } as PresenceTargetRequest);
    return result.members;
  }

  /** Replaces this connection's presence state in a channel or document it is in; needs `P`. */
  async updatePresence(target: PresenceTarget, state: PresenceState): Promise<PresenceMember> {
    this.assertUsable();
    assertState(state);
    const fields = targetFields(target);
    const result = await this.host.requests.request('presence:update', { realm: this.realm, ...fields, state } as PresenceTargetRequest & {
      state: PresenceState;
    });
    if ('channel' in fields) {
      const entry = this.channels.get(fields.channel);
      if (entry !== undefined) entry.state = rejoinState(result.member.state).state;
    } else {
      const entry = this.documents.get(documentKey(fields.document));
      if (entry !== undefined) entry.state = rejoinState(result.member.state).state;
    }
    return result.member;
  }

  /** Appears in a document's presence ("has it open"; needs `P` on `doc/<service>/<id>`). */
  async openDocument(service: string, id: string, options: PresenceOptions = {}): Promise<OpenedDocument> {
    this.assertUsable();
    const document = assertDocument({ service, id });
    const result = await this.host.requests.request('document:open', {
      realm: this.realm,
      document,
      ...(options.state === undefined ? {} : { state: options.state }),
    });
    this.documents.set(documentKey(document), { document, ...rejoinState(result.member.state) });
    return { document: result.document, member: result.member, members: result.members };
  }

  /** Leaves a document's presence. */
  async closeDocument(service: string, id: string): Promise<void> {
    this.assertUsable();
    const document = assertDocument({ service, id });
    this.documents.delete(documentKey(document));
    await this.host.requests.request('document:close', { realm: this.realm, document });
  }

  /**
   * The data-provider status of an object: `'connected'` while a provider whose `dpv` pattern
   * covers the id is connected (needs `P` on `object/<id>`).
   */
  async connectionStatus(objectId: string): Promise<ConnectionStatus> {
    this.assertUsable();
    if (!isValidObjectId(objectId)) throw new InvalidArgumentError(`Invalid object id ${JSON.stringify(objectId)}`);
    const result = await this.host.requests.request('presence:status', { realm: this.realm, id: objectId });
    return result.connectionStatus;
  }

  /** Listens to `'message'`, `'direct'` or `'presence'`; returns a function that removes the listener. */
  on<K extends keyof SocketClientEvents>(event: K, listener: (value: SocketClientEvents[K]) => void): Disposer {
    this.assertUsable();
    return this.emitter.on(event, listener);
  }

  /** Removes a listener added with {@link on} (the same function reference). */
  off<K extends keyof SocketClientEvents>(event: K, listener: (value: SocketClientEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Delivers a server event to the listeners. @internal */
  dispatch<K extends keyof SocketClientEvents>(event: K, value: SocketClientEvents[K]): void {
    this.emitter.emit(event, value);
  }

  /**
   * Delivers a channel message, unless it was already delivered. The server sends a re-join's
   * missed messages before any live one, so they arrive in order; the same message can still
   * arrive twice across nodes (see StreamPositions), and the second copy is dropped here. @internal
   */
  receiveMessage(message: ChannelMessage): void {
    if (this.isNew(message)) this.emitter.emit('message', message);
  }

  /**
   * The server ended a channel membership (`left`) or its presence (a refreshed token lost `R` or
   * `P`): the channel is forgotten (or re-joined without a state from now on), and the client's
   * `'error'` hears the `FORBIDDEN` with `details.channel`. @internal
   */
  channelRevoked(notice: ChannelRevokedNotice): void {
    const entry = this.channels.get(notice.channel);
    if (entry === undefined) return;
    if (notice.left) this.channels.delete(notice.channel);
    else delete entry.state;
    this.host.reportError(withErrorDetails(errorFromShape(notice.error), { channel: notice.channel }));
  }

  /**
   * The server closed an open document (a refreshed token lost `P`): it is forgotten, and the
   * client's `'error'` hears the `FORBIDDEN` with `details.document`. @internal
   */
  documentRevoked(notice: DocumentRevokedNotice): void {
    if (!this.documents.delete(documentKey(notice.document))) return;
    this.host.reportError(withErrorDetails(errorFromShape(notice.error), { document: notice.document }));
  }

  /**
   * Re-joins every joined channel and re-opens every open document (after a reconnect); a refusal
   * with `RATE_LIMITED` is sent again after `retryAfterMs` while this connection lasts. @internal
   */
  rejoin(): void {
    this.clearRetries();
    const round = ++this.rejoinRound;
    for (const [channel, entry] of this.channels) this.rejoinChannel(channel, entry, round);
    for (const [key, entry] of this.documents) this.reopenDocument(key, entry, round);
  }

  /** Removes every listener and forgets channels and documents; later calls throw. @internal */
  clear(): void {
    this.destroyed = true;
    this.clearRetries();
    this.emitter.clear();
    this.channels.clear();
    this.documents.clear();
  }

  private rejoinChannel(channel: string, entry: ChannelEntry, round: number): void {
    const since = this.positions.get(this.realm, channelStream(channel));
    const request = this.host.requests.request('channel:join', {
      realm: this.realm,
      channel,
      ...(entry.state === undefined ? {} : { state: entry.state }),
      ...(since === undefined ? {} : { since }),
    });
    request.then(
      (result) => {
        if (this.channels.get(channel) !== entry) return;
        if (result.position !== undefined) this.positions.note(this.realm, channelStream(channel), result.position);
        if (since !== undefined) this.emitter.emit('rejoined', { channel, recovered: result.recovered === true });
      },
      (err: unknown) => {
        if (this.channels.get(channel) !== entry) return;
        const current = () => round === this.rejoinRound && this.channels.get(channel) === entry;
        if (this.retryLater(err, current, () => this.rejoinChannel(channel, entry, round))) return;
        if (isRetryable(err)) return;
        this.channels.delete(channel);
        this.host.reportError(withErrorDetails(toRealtimeError(err), { channel }));
      },
    );
  }

  private reopenDocument(key: string, entry: DocumentEntry, round: number): void {
    const request = this.host.requests.request('document:open', {
      realm: this.realm,
      document: entry.document,
      ...(entry.state === undefined ? {} : { state: entry.state }),
    });
    request.catch((err: unknown) => {
      if (this.documents.get(key) !== entry) return;
      const current = () => round === this.rejoinRound && this.documents.get(key) === entry;
      if (this.retryLater(err, current, () => this.reopenDocument(key, entry, round))) return;
      if (isRetryable(err)) return;
      this.documents.delete(key);
      this.host.reportError(withErrorDetails(toRealtimeError(err), { document: entry.document }));
    });
  }

  /**
   * When `err` is a `RATE_LIMITED` refusal, calls `resend` after its wait, provided the re-join is
   * still `current` and the connection still up (a later reconnect re-sends it anyway); answers
   * whether it took the error on.
   */
  private retryLater(err: unknown, current: () => boolean, resend: () => void): boolean {
    const wait = rateLimitWait(err);
    if (wait === undefined) return false;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (current() && this.host.connectionId() !== undefined) resend();
    }, wait);
    this.retries.add(timer);
    return true;
  }

  private clearRetries(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private isNew(message: ChannelMessage): boolean {
    if (message.epoch === undefined || message.offset === undefined) return true;
    return this.positions.noteOffset(this.realm, channelStream(message.channel), message.epoch, message.offset);
  }

  private assertUsable(): void {
    if (this.destroyed) throw new UnavailableError('The client has been destroyed');
  }
}

/** A joined channel: the presence state to restore when it is re-joined. */
interface ChannelEntry {
  state?: PresenceState;
}

/** An open document, and the presence state to restore when it is re-opened. */
interface DocumentEntry {
  document: DocumentRef;
  state?: PresenceState;
}

/** A channel's message stream, as positions name it. */
function channelStream(channel: string): string {
  return `channel:${channel}`;
}

/** What a re-join sends: the member's state, when it has one. */
function rejoinState(state: PresenceState): { state?: PresenceState } {
  return Object.keys(state).length === 0 ? {} : { state };
}
