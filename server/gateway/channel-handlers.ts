import type { Logger } from 'pino';
import type { ChannelJoinResult } from '../../shared/index.js';
import { assertCan, can, channelResource, resolveRealm } from '../auth/permissions.js';
import type { ResolvedLimits } from '../config.js';
import type { PresenceService } from '../presence/presence-service.js';
import {
  channelJoinSchema,
  channelLeaveSchema,
  channelPublishSchema,
  directSendSchema,
} from '../validation/channel-schemas.js';
import { assertPayloadSize } from '../validation/payload-size.js';
import type { ChannelMessenger } from '../channels/channel-messenger.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { onRequest } from './request-handler.js';
import type { RealtimeSocket } from '../socket-types.js';

/** What the channel handlers need from the gateway. */
export interface ChannelHandlerContext {
  logger: Logger;
  limits: ResolvedLimits;
  rateLimits: RateLimits;
  presence: PresenceService;
  messenger: ChannelMessenger;
}

/**
 * Registers `channel:join`, `channel:leave`, `channel:publish` and `direct:send` on a connection.
 *
 * Joining needs `R` on `channel/<name>` (join and receive); a member appears in the channel's
 * presence, may set a state and receives presence events only with `P` as well. Publishing needs
 * `C` on the channel and, when `C` comes from the client role only, membership (see
 * `assertMayPublish`); a direct message needs `C` on `user/<recipient>`.
 * Leaving needs nothing but a granted realm. Joining twice is harmless. Channel and direct
 * messages count against the `messages` rate limits, joins and leaves against the `presence` ones
 * (see RateLimits), checked first.
 *
 * @example
 * registerChannelHandlers(socket, { logger, limits, rateLimits, presence, messenger });
 */
export function registerChannelHandlers(socket: RealtimeSocket, context: ChannelHandlerContext): void {
  const { logger, limits, rateLimits, presence, messenger } = context;

  onRequest(socket, logger, 'channel:join', channelJoinSchema, async (request): Promise<ChannelJoinResult> => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('presence', principal, realm, socket.id);
    const resource = channelResource(request.channel);
    assertCan(principal, realm, resource, 'R');
    const visible = can(principal, realm, resource, 'P');
    if (request.state !== undefined) {
      // Setting a state is appearing in presence: without P this throws FORBIDDEN.
      assertCan(principal, realm, resource, 'P');
      assertPayloadSize(request.state, limits.maxPresenceStateBytes, 'state');
    }
    const join = () => presence.join(socket, realm, { kind: 'channel', name: request.channel }, { visible, state: request.state ?? {} });
    // A re-join: live messages are held for this connection until the ones it missed since
    // `since` went out before them, as ordinary `channel:message` frames (as topics recover).
    const { joined: outcome, recovered } =
      request.since === undefined
        ? { joined: await join(), recovered: undefined }
        : await messenger.recover(socket, realm, request.channel, request.since, join);
    const result: ChannelJoinResult = {
      realm,
      channel: request.channel,
      member: outcome.member,
      presence: outcome.visible,
      ...(outcome.members === undefined ? {} : { members: outcome.members }),
      ...(recovered === undefined ? {} : { recovered }),
    };
    const position = await messenger.head(realm, request.channel);
    if (position !== undefined) result.position = position;
    return result;
  });

  onRequest(socket, logger, 'channel:leave', channelLeaveSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('presence', principal, realm, socket.id);
    const left = await presence.leave(socket, realm, { kind: 'channel', name: request.channel });
    return { realm, channel: request.channel, left };
  });

  onRequest(socket, logger, 'channel:publish', channelPublishSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('messages', principal, realm, socket.id);
    const message = await messenger.broadcast(principal, realm, request, { userId: principal.userId, connectionId: socket.id }, {
      ...(request.excludeSelf === true ? { exceptConnectionId: socket.id } : {}),
      isMember: () => presence.isChannelMember(socket, realm, request.channel),
    });
    return { realm, channel: message.channel, event: message.event, timestamp: message.timestamp };
  });

  onRequest(socket, logger, 'direct:send', directSendSchema, async (request) => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('messages', principal, realm, socket.id);
    const target =
      request.userId !== undefined
        ? { userId: request.userId, event: request.event, data: request.data }
        : { connectionId: request.connectionId as string, event: request.event, data: request.data };
    const recipients = await messenger.direct(principal, realm, target, {
      userId: principal.userId,
      connectionId: socket.id,
    });
    return { realm, recipients };
  });

  socket.on('disconnect', () => messenger.dropSocket(socket.id));
}
