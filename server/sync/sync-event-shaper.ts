import type { RealtimeEvent, SyncBothPayload, SyncDiffPayload, SyncEventReturnMode } from '../../shared/index.js';
import { docResource } from '../auth/permissions.js';

/**
 * Trims a sync change event (published in the `both` shape) to what a subscriber asked for:
 * `full` gets the document, `diff` gets `{ service, id, revision, previousRevision, patch }`.
 * Other events pass through unchanged.
 *
 * @example
 * publisher.addShaper(shapeSyncEvent);
 */
export function shapeSyncEvent(event: RealtimeEvent, mode: SyncEventReturnMode): RealtimeEvent {
  if (event.source !== 'sync' || mode === 'both') return event;
  const { previousRevision, patch, ...document } = event.payload as unknown as SyncBothPayload;
  if (mode === 'full') return { ...event, payload: document as unknown as Record<string, unknown> };
  const diff: SyncDiffPayload = {
    service: document.service,
    id: document.id,
    revision: document.revision,
    previousRevision,
    patch,
    ...(document.deleted === true ? { deleted: true } : {}),
  };
  return { ...event, payload: diff as unknown as Record<string, unknown> };
}

/**
 * The document a sync change event is about, so that delivery can require `R` on it: a
 * subscription to `sync.<service>.updated` only ever delivers documents its connection may read.
 *
 * @example
 * publisher.addReadCheck(syncEventResource);
 */
export function syncEventResource(event: RealtimeEvent): string | undefined {
  if (event.source !== 'sync') return undefined;
  const { service, id } = event.payload as { service?: unknown; id?: unknown };
  return typeof service === 'string' && typeof id === 'string' ? docResource(service, id) : undefined;
}
