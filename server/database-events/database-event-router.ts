import type { Logger } from 'pino';
import { InvalidArgumentError, isValidRealm, isValidTopic, RealtimeError } from '../../shared/index.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { TopicRegistry } from '../registry/topic-registry.js';
import type { DatabaseMappings } from './database-mappings.js';
import { evaluateMapping } from './mapping-evaluator.js';
import type { MappingStats } from './mapping-stats.js';
import type { RowChange } from './row-change.js';

/** What the router is built from. */
export interface DatabaseEventRouterOptions {
  mappings: DatabaseMappings;
  stats: MappingStats;
  publisher: EventPublisher;
  registry: TopicRegistry;
  logger: Logger;
  /** Largest payload of one event (bytes of its JSON), as for every other publish. */
  maxPayloadBytes: number;
  /** Counts each change's outcome per mapping (the server's metrics). */
  onOutcome?: (outcome: 'delivered' | 'skipped' | 'failed') => void;
}

/**
 * Turns one committed row change into the events of the mappings of its table: evaluates each
 * (operation, `triggerColumns`, `when`, payload, realm), checks the payload against the topic's
 * active schema like any publish, and publishes with `source: 'database'`, `type:
 * 'database.<operation>'` and `metadata.table` / `metadata.operation`. A change a mapping cannot
 * turn into an event (the payload fails the topic's schema, the realm column is empty or not a
 * realm, the payload is too large) is not published: it is counted as the mapping's failure with
 * the reason as its `lastError`, logged, and the source goes on with the next change (one bad row
 * must not stop a table's stream). Any other failure (the platform's store or Redis unavailable)
 * is counted too and thrown: the source does not acknowledge the change and reads it again.
 *
 * Resolves once every event of the change is published: the sources wait for it before they read
 * on or acknowledge, which is their back-pressure.
 *
 * @example
 * await router.route({ table: 'orders', operation: 'insert', row: { id: 1, status: 'new' } });
 */
export class DatabaseEventRouter {
  constructor(private readonly options: DatabaseEventRouterOptions) {}

  async route(change: RowChange): Promise<void> {
    const { mappings, stats, publisher, registry } = this.options;
    for (const mapping of mappings.forTable(change.table, change.schema)) {
      const outcome = evaluateMapping(mapping, change);
      if (outcome.kind === 'skipped') {
        stats.skipped(mapping.id);
        this.options.onOutcome?.('skipped');
        continue;
      }
      try {
        if (outcome.kind === 'failed') throw new MappingFailure(outcome.message, outcome.details);
        if (!isValidRealm(outcome.realm))
          throw new MappingFailure(`The row names realm ${JSON.stringify(outcome.realm).slice(0, 80)}, which is not a realm id`);
        if (!isValidTopic(mapping.topic)) throw new MappingFailure(`"${mapping.topic}" is not a topic`);
        const bytes = Buffer.byteLength(JSON.stringify(outcome.payload));
        if (bytes > this.options.maxPayloadBytes) {
          throw new MappingFailure(`The payload is ${bytes} bytes; the limit is ${this.options.maxPayloadBytes}`, {
            size: bytes,
            limit: this.options.maxPayloadBytes,
          });
        }
        await registry.checkPublish(outcome.realm, mapping.topic, outcome.payload);
        await publisher.publish({
          realm: outcome.realm,
          topic: mapping.topic,
          source: 'database',
          type: `database.${change.operation}`,
          payload: outcome.payload,
          metadata: { table: change.table, operation: change.operation },
        });
        stats.delivered(mapping.id, Date.now());
        this.options.onOutcome?.('delivered');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const details =
          err instanceof MappingFailure ? err.details : err instanceof RealtimeError ? (err.details as Record<string, unknown> | undefined) : undefined;
        stats.failed(mapping.id, message, Date.now(), details);
        this.options.onOutcome?.('failed');
        this.options.logger.warn({ mapping: mapping.id, table: change.table, topic: mapping.topic, err: message }, 'a database change did not become an event');
        // The change itself is at fault: counted, and the stream goes on. Anything else (the
        // platform's store or Redis unavailable) fails the change, so its source reads it again.
        if (!(err instanceof MappingFailure || err instanceof InvalidArgumentError)) throw err;
      }
    }
  }
}

class MappingFailure extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'MappingFailure';
  }
}
