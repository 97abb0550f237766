import {
  broadcastRequestSchema,
  channelJoinRequestSchema,
  channelLeaveRequestSchema,
  channelPublishRequestSchema,
  directSendRequestSchema,
  realmRequestSchema,
  type ChannelJoinResult,
} from '../../shared/index.js';
import { assertMayPublish } from '../auth/channel-publish-right.js';
import { channelResource, userResource } from '../auth/permissions.js';
import type { ResolvedLimits } from '../config.js';
import type { Requirement } from '../kernel/access.js';
import { defineOperation, type SocketOperationContext } from '../kernel/operation.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { ChannelMessenger } from './channel-messenger.js';

/** What the channel operations need. */
export interface ChannelServices {
  presence: PresenceService;
  messenger: ChannelMessenger;
}

/**
 * `channel:join`, `channel:leave`, `channel:publish`, `direct:send`, and the REST-only broadcast
 * and channel list.
 *
 * Joining needs `R` on `channel/<name>` (join and receive); a member appears in the channel's
 * presence, may set a state and receives presence events only with `P` as well. Publishing needs
 * `C` on the channel and, when `C` comes from the client role only, membership (see
 * `assertMayPublish`); a direct message needs `C` on `user/<recipient>`. Leaving needs nothing but
 * a granted realm. Joining twice is harmless. Channel and direct messages count against the
 * `messages` rate limits, joins and leaves against the `presence` ones.
 *
 * @example
 * const operations = channelOperations({ presence, messenger }, limits);
 */
export function channelOperations({ presence, messenger }: ChannelServices, limits: ResolvedLimits) {
  const join = defineOperation({
    name: 'channel:join',
    input: channelJoinRequestSchema,
    rateLimit: 'presence',
    requires: ({ channel, state }): Requirement[] => [
      { resource: channelResource(channel), right: 'R' },
      // Setting a state is appearing in presence: without P this is FORBIDDEN.
      ...(state === undefined ? [] : [{ resource: channelResource(channel), right: 'P' } as const]),
    ],
    run: async (request, context: SocketOperationContext): Promise<ChannelJoinResult> => {
      const { realm, socket } = context;
      if (request.state !== undefined) assertPayloadSize(request.state, limits.maxPresenceStateBytes, 'state');
      const visible = context.can(channelResource(request.channel), 'P');
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
    },
  });

  const leave = defineOperation({
    name: 'channel:leave',
    input: channelLeaveRequestSchema,
    rateLimit: 'presence',
    run: async ({ channel }, { realm, socket }: SocketOperationContext) => ({
      realm,
      channel,
      left: await presence.leave(socket, realm, { kind: 'channel', name: channel }),
    }),
  });

  const publish = defineOperation({
    name: 'channel:publish',
    input: channelPublishRequestSchema,
    rateLimit: 'messages',
    requires: ({ channel }, { socket }: SocketOperationContext) => [
      (access) => assertMayPublish(access.principal, access.realm, channel, () => presence.isChannelMember(socket, access.realm, channel)),
    ],
    run: async (request, { realm, principal, socket }: SocketOperationContext) => {
      const message = await messenger.broadcast(
        realm,
        request,
        { userId: principal.userId, connectionId: socket.id },
        {
          ...(request.excludeSelf === true ? { exceptConnectionId: socket.id } : {}),
        },
      );
      return { realm, channel: message.channel, event: message.event, timestamp: message.timestamp };
    },
  });

  /** `POST /api/socket/broadcast`: a REST caller is never a member (see `assertMayPublish`). */
  const broadcast = defineOperation({
    name: 'broadcast',
    input: broadcastRequestSchema,
    rateLimit: 'messages',
    requires: ({ channel }) => [(access) => assertMayPublish(access.principal, access.realm, channel)],
    run: async (request, { realm, principal }) => {
      const message = await messenger.broadcast(realm, request, { userId: principal.userId, connectionId: null });
      return { realm, channel: message.channel, event: message.event, timestamp: message.timestamp };
    },
  });

  const direct = defineOperation({
    name: 'direct:send',
    input: directSendRequestSchema,
    rateLimit: 'messages',
    requires: ({ userId, connectionId }): Requirement[] => [
      userId !== undefined
        ? { resource: userResource(userId), right: 'C' }
        : async (access) => [{ resource: userResource(await messenger.connectionUser(access.realm, connectionId as string)), right: 'C' }],
    ],
    run: async (request, { realm, principal, connectionId }) => {
      const { event, data } = request;
      const target = request.userId !== undefined ? { userId: request.userId, event, data } : { connectionId: request.connectionId as string, event, data };
      const recipients = await messenger.direct(realm, target, { userId: principal.userId, connectionId: connectionId ?? null });
      return { realm, recipients };
    },
  });

  /** `GET /api/socket/channels`: the active channels whose presence the caller may read (`P`). */
  const list = defineOperation({
    name: 'channels:list',
    input: realmRequestSchema,
    run: async (_request, access) => (await presence.channels(access.realm)).filter(({ name }) => access.can(channelResource(name), 'P')),
  });

  return { 'channel:join': join, 'channel:leave': leave, 'channel:publish': publish, 'direct:send': direct, broadcast, list } as const;
}
