import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RealtimeEvent } from '../../shared/index.js';
import type { TopicRelay } from '../events/topic-relay.js';
import type { RedisClient } from './redis-client.js';

/**
 * What {@link TopicChannels} is built from.
 *
 * @example
 * const options: TopicChannelsOptions = { pub: cluster.pub, sub: cluster.sub, keyPrefix: 'rt', logger };
 */
export interface TopicChannelsOptions {
  /** Publishes (SPUBLISH); the adapter's `pub` connection. */
  pub: RedisClient;
  /** Subscribes (SSUBSCRIBE); the adapter's `sub` connection (a Redis Cluster one with `shardedSubscribers`). */
  sub: RedisClient;
  keyPrefix: string;
  logger: Logger;
  /**
   * Longest wait for Redis to answer a channel subscription (before a topic subscription goes on
   * without it: its events from other nodes then start when Redis answers) or a publication
   * (before the publish is acknowledged anyway), ms.
   * @default 3000
   */
  readyTimeoutMs?: number;
}

/**
 * What one node's channels have done, for tests and metrics.
 *
 * @example
 * const { channels, received } = server.services.topicChannels?.stats() ?? { channels: 0, received: 0 };
 */
export interface TopicChannelStats {
  /** Channels this node is subscribed to (rooms with local subscribers). */
  channels: number;
  /** Events received from other nodes and handed to the publisher. */
  received: number;
  /** Events published to the channels. */
  published: number;
}

/** The wire form of one relayed event: the sending node and the event. */
interface RelayedEvent {
  n: string;
  e: RealtimeEvent;
}

/**
 * The {@link TopicRelay} over Redis 7 sharded pub/sub: one sharded channel per topic room,
 * `<prefix>:topic#<room>`, that a node subscribes to (SSUBSCRIBE) while it has local
 * subscribers of the room, and that every publisher SPUBLISHes the room's events to. A node with
 * no subscriber of a topic receives none of its events, and in a Redis Cluster each channel lives
 * on the shard of its slot, so neither the nodes' nor the shards' pub/sub cost grows with traffic
 * they do not need.
 *
 * Why `ready` exists: SSUBSCRIBE takes a round trip. A subscription acknowledged before the
 * channel is in place would miss the events other nodes publish meanwhile. The topic handler
 * waits for `ready` before it reads the subscription's starting position (or its recovery
 * history): an event appended to the history after that read is published after the SSUBSCRIBE
 * was answered, and the shard delivers it (SSUBSCRIBE and SPUBLISH of one channel are ordered on
 * its shard). While Redis is unreachable `ready` does not wait: the node serves its own clients,
 * and ioredis subscribes again when Redis returns.
 *
 * `publish` resolves once Redis has taken the event (it has then reached every subscribed node's
 * connection), so events one caller publishes one after the other, through any nodes, arrive in
 * that order. Without the wait a node's first SPUBLISH on a fresh cluster connection was seen to
 * arrive after its later ones.
 *
 * Each node also receives its own publications on channels it is subscribed to; they carry its
 * id and are dropped, since the publisher already delivered them locally.
 *
 * @example
 * const channels = new TopicChannels({ pub: cluster.pub, sub: cluster.sub, keyPrefix: 'rt', logger });
 * channels.onEvent((event) => publisher.deliverLocal(event));
 * channels.open('demo:topic:orders');
 * await channels.ready('demo:topic:orders');
 */
export class TopicChannels implements TopicRelay {
  private readonly nodeId = randomUUID();
  private readonly prefix: string;
  /** Room → its SSUBSCRIBE, settled (never rejected) once Redis answered or gave up. */
  private readonly subscribed = new Map<string, Promise<void>>();
  private deliver: (event: RealtimeEvent) => void = () => undefined;
  private readonly counts = { received: 0, published: 0 };
  private readonly onMessage = (channel: Buffer, message: Buffer) => this.receive(channel, message);

  constructor(private readonly options: TopicChannelsOptions) {
    this.prefix = `${options.keyPrefix}:topic#`;
    options.sub.on('smessageBuffer', this.onMessage);
  }

  onEvent(deliver: (event: RealtimeEvent) => void): void {
    this.deliver = deliver;
  }

  async publish(room: string, event: RealtimeEvent): Promise<void> {
    const message: RelayedEvent = { n: this.nodeId, e: event };
    this.counts.published += 1;
    const sent = this.options.pub.spublish(this.channel(room), JSON.stringify(message)).then(
      () => undefined,
      (err: unknown) => this.options.logger.warn({ err, room }, 'could not relay a topic event to other nodes'),
    );
    // Redis away: the command queues and goes out when it returns; the publisher does not wait.
    if (this.options.pub.status === 'ready') await this.bounded(sent);
  }

  open(room: string): void {
    if (this.subscribed.has(room)) return;
    const done = this.options.sub.ssubscribe(this.channel(room)).then(
      () => undefined,
      (err: unknown) => this.options.logger.warn({ err, room }, 'could not subscribe to a topic channel'),
    );
    this.subscribed.set(room, done);
  }

  close(room: string): void {
    if (!this.subscribed.delete(room)) return;
    this.options.sub.sunsubscribe(this.channel(room)).catch((err: unknown) => {
      this.options.logger.warn({ err, room }, 'could not unsubscribe from a topic channel');
    });
  }

  async ready(room: string): Promise<void> {
    const pending = this.subscribed.get(room);
    if (pending === undefined || this.options.sub.status !== 'ready') return;
    await this.bounded(pending);
  }

  /** This node's channel counters (a test seam, and what a metrics endpoint would report). */
  stats(): TopicChannelStats {
    return { channels: this.subscribed.size, ...this.counts };
  }

  /** The sharded channel of a room (a test seam: `PUBSUB SHARDNUMSUB` counts its subscribers). */
  channel(room: string): string {
    return this.prefix + room;
  }

  /** Stops listening (the connections themselves belong to `RedisCluster`, which closes them). */
  dispose(): void {
    this.options.sub.off('smessageBuffer', this.onMessage);
    this.subscribed.clear();
  }

  /** Waits for a Redis answer, at most `readyTimeoutMs`. */
  private async bounded(answer: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.readyTimeoutMs ?? 3000);
    });
    try {
      await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private receive(rawChannel: Buffer, message: Buffer): void {
    const channel = rawChannel.toString();
    if (!channel.startsWith(this.prefix) || !this.subscribed.has(channel.slice(this.prefix.length))) return;
    let relayed: RelayedEvent;
    try {
      relayed = JSON.parse(message.toString()) as RelayedEvent;
    } catch (err) {
      this.options.logger.warn({ err, channel }, 'dropped an unreadable topic relay message');
      return;
    }
    if (relayed.n === this.nodeId || typeof relayed.e !== 'object' || relayed.e === null) return;
    this.counts.received += 1;
    try {
      this.deliver(relayed.e);
    } catch (err) {
      this.options.logger.error({ err, channel }, 'delivering a relayed topic event failed');
    }
  }
}
