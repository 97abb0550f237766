import type { ChannelMessage, ChannelRevokedNotice, DirectMessage, DocumentRevokedNotice, PresenceEvent, RealtimeError } from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Disposer } from './emitter.js';
import type { RequestManager } from './request-manager.js';
import type { ResubscribableStream } from './resubscriber.js';
import { SocketClient } from './socket-client.js';

/**
 * The client's socket clients, one per realm, over one connection: routes `channel:message`,
 * `direct:message`, `presence:changed`, `channel:revoked` and `document:revoked` to the socket
 * client of the event's realm, re-joins channels and documents on every reconnect (a stream kind of
 * the {@link Resubscriber}), and releases everything on destroy.
 *
 * @example
 * const registry = new SocketClientRegistry(connection, requests, reportError);
 * registry.forRealm('demo').joinChannel('lobby');
 */
export class SocketClientRegistry implements ResubscribableStream {
  private readonly clients = new Map<string, SocketClient>();
  private readonly disposers: Disposer[];

  constructor(
    private readonly connection: ConnectionManager,
    private readonly requests: RequestManager,
    private readonly reportError: (error: RealtimeError) => void,
  ) {
    const socket = connection.socket;
    const onMessage = (message: ChannelMessage): void => this.clients.get(message.realm)?.receiveMessage(message);
    const onDirect = (message: DirectMessage): void => this.clients.get(message.realm)?.dispatch('direct', message);
    const onPresence = (event: PresenceEvent): void => this.clients.get(event.realm)?.dispatch('presence', event);
    const onChannelRevoked = (notice: ChannelRevokedNotice): void => this.clients.get(notice.realm)?.channelRevoked(notice);
    const onDocumentRevoked = (notice: DocumentRevokedNotice): void => this.clients.get(notice.realm)?.documentRevoked(notice);
    socket.on('channel:message', onMessage);
    socket.on('direct:message', onDirect);
    socket.on('presence:changed', onPresence);
    socket.on('channel:revoked', onChannelRevoked);
    socket.on('document:revoked', onDocumentRevoked);
    this.disposers = [
      () => socket.off('channel:message', onMessage),
      () => socket.off('direct:message', onDirect),
      () => socket.off('presence:changed', onPresence),
      () => socket.off('channel:revoked', onChannelRevoked),
      () => socket.off('document:revoked', onDocumentRevoked),
    ];
  }

  /** The socket client of a realm (created on first use). */
  forRealm(realm: string): SocketClient {
    let client = this.clients.get(realm);
    if (client === undefined) {
      client = new SocketClient(realm, {
        requests: this.requests,
        connectionId: () => (this.connection.state === 'connected' ? this.connection.socket.id : undefined),
        reportError: this.reportError,
      });
      this.clients.set(realm, client);
    }
    return client;
  }

  /**
   * Re-joins every realm's channels (each from its last known position) and re-opens its
   * documents; called on each (re)connection by the {@link Resubscriber}.
   */
  resubscribe(): void {
    for (const client of this.clients.values()) client.rejoin();
  }

  /** Stops listening and clears every socket client. */
  destroy(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    for (const client of this.clients.values()) client.clear();
    this.clients.clear();
  }
}
