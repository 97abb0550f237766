import { hasProviderRequestSchema, listenRequestSchema, type ListenKind, type ListenResult } from '../../shared/index.js';
import { recordResource, topicResource } from '../auth/permissions.js';
import { defineOperation, type SocketOperationContext } from '../kernel/operation.js';
import type { ListeningRegistry } from './listening-registry.js';

/**
 * The resource a listen pattern is checked on: `topic/<pattern>` or `record/<pattern>`. A grant
 * covers a pattern when it matches the pattern's text (`topic/prices.*` covers `prices.*` and
 * `prices.eur`; `topic/*` covers every pattern).
 *
 * @example
 * listenResource('topic', 'prices.*'); // 'topic/prices.*'
 */
export function listenResource(kind: ListenKind, pattern: string): string {
  return kind === 'topic' ? topicResource(pattern) : recordResource(pattern);
}

/**
 * `listen:add`, `listen:remove` and `listen:has-provider`.
 *
 * Listening means offering to provide the data, so it needs `C` on `topic/<pattern>` (or
 * `record/<pattern>`): the `service` role has it, the `client` role does not. Asking whether a
 * stream has a provider needs only a granted realm. Neither counts against a rate limit (both are
 * bounded per connection: `maxListensPerConnection`).
 *
 * @example
 * serveOperations(table, listeningOperations(listening), deps);
 */
export function listeningOperations(listening: ListeningRegistry) {
  const add = defineOperation({
    name: 'listen:add',
    input: listenRequestSchema,
    requires: ({ kind, pattern }) => [{ resource: listenResource(kind, pattern), right: 'C' }],
    run: ({ kind, pattern }, { realm, socket }: SocketOperationContext): ListenResult => {
      listening.listen(socket, realm, kind, pattern);
      return { realm, kind, pattern };
    },
  });

  const remove = defineOperation({
    name: 'listen:remove',
    input: listenRequestSchema,
    run: ({ kind, pattern }, { realm, socket }: SocketOperationContext): ListenResult => {
      listening.unlisten(socket, realm, kind, pattern);
      return { realm, kind, pattern };
    },
  });

  const hasProvider = defineOperation({
    name: 'listen:has-provider',
    input: hasProviderRequestSchema,
    run: async ({ kind, name }, { realm }) => ({ realm, kind, name, hasProvider: await listening.hasProvider(realm, kind, name) }),
  });

  return { 'listen:add': add, 'listen:remove': remove, 'listen:has-provider': hasProvider } as const;
}
