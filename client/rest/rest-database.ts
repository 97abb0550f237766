import type { DatabaseEventsStatus, DatabaseMapping, DatabaseMappingInput } from '../../shared/index.js';
import { segment, sendIn, type RestScope, type ScopedCall } from './rest-scope.js';

/**
 * Database mappings (`/api/database/mappings`): `rest.database`, which table changes become which
 * topic events. Every call needs the `admin` role in the realm; a mapping whose realm comes from
 * a column (`realm: '$row.tenant'`) needs a platform admin. Mappings of other realms answer
 * `NotFoundError`. Bad input is `InvalidArgumentError` with `details.issues`. Reads are retried on
 * `UNAVAILABLE` and timeouts; changes are not.
 *
 * @example
 * const mapping = await rest.database.create({
 *   table: 'sessions', topic: 'session.status', events: ['insert', 'update'],
 *   payload: { sessionId: '$row.id', status: '$row.status' }, when: { changed: 'status' },
 * });
 * (await rest.database.get(mapping.id)).stats.delivered;
 */
export class RestDatabaseClient {
  constructor(private readonly scope: RestScope) {}

  /** Creates a mapping (`201`); its realm is the scope's unless `input.realm` names one (or a column). */
  async create(input: DatabaseMappingInput): Promise<DatabaseMapping> {
    return this.send({ method: 'POST', path: '/api/database/mappings', body: input });
  }

  /** The realm's mappings with this node's counters (a platform admin without a realm: every mapping). */
  async list(): Promise<DatabaseMapping[]> {
    return (await this.send<{ items: DatabaseMapping[] }>({ method: 'GET', path: '/api/database/mappings' })).items;
  }

  async get(id: string): Promise<DatabaseMapping> {
    return this.send({ method: 'GET', path: mappingPath(id) });
  }

  /** The mappings that publish to a topic. */
  async forTopic(topic: string): Promise<DatabaseMapping[]> {
    return (await this.send<{ items: DatabaseMapping[] }>({ method: 'GET', path: `/api/database/mappings/topic/${segment(topic)}` })).items;
  }

  /** Changes any field but the realm; `null` removes `when`, `triggerColumns`, `environment` or `description`. */
  async update(id: string, changes: { [K in keyof Omit<DatabaseMappingInput, 'realm'>]?: DatabaseMappingInput[K] | null }): Promise<DatabaseMapping> {
    return this.send({ method: 'PATCH', path: mappingPath(id), body: changes });
  }

  async delete(id: string): Promise<void> {
    await this.send({ method: 'DELETE', path: mappingPath(id) });
  }

  /** The sources (state, slot lag, outbox backlog) and the counters of the realm's mappings. */
  async status(): Promise<DatabaseEventsStatus> {
    return this.send({ method: 'GET', path: '/api/database/mappings/status' });
  }

  private send<T>(call: ScopedCall): Promise<T> {
    return sendIn<T>(this.scope, call);
  }
}

function mappingPath(id: string): string {
  return `/api/database/mappings/${segment(id)}`;
}
