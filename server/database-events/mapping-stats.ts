import type { DatabaseMappingStats } from '../../shared/index.js';

/** Longest error message kept for a mapping. */
const MAX_ERROR_MESSAGE = 500;

/**
 * What this node counted for each mapping: events delivered, changes skipped and failed, and the
 * last error. In memory, per node, bounded by the number of mappings (entries of deleted mappings
 * are dropped with them).
 *
 * @example
 * stats.delivered('map_1', Date.now());
 * stats.of('map_1'); // { delivered: 1, skipped: 0, failed: 0, lastDeliveredAt: ... }
 */
export class MappingStats {
  private readonly byMapping = new Map<string, DatabaseMappingStats>();

  of(id: string): DatabaseMappingStats {
    const entry = this.byMapping.get(id);
    return entry === undefined
      ? { delivered: 0, skipped: 0, failed: 0 }
      : { ...entry, ...(entry.lastError === undefined ? {} : { lastError: { ...entry.lastError } }) };
  }

  delivered(id: string, at: number): void {
    const entry = this.entry(id);
    entry.delivered += 1;
    entry.lastDeliveredAt = at;
  }

  skipped(id: string): void {
    this.entry(id).skipped += 1;
  }

  failed(id: string, message: string, at: number, details?: Record<string, unknown>): void {
    const entry = this.entry(id);
    entry.failed += 1;
    entry.lastError = { message: message.slice(0, MAX_ERROR_MESSAGE), at, ...(details === undefined ? {} : { details }) };
  }

  forget(id: string): void {
    this.byMapping.delete(id);
  }

  private entry(id: string): DatabaseMappingStats {
    let entry = this.byMapping.get(id);
    if (entry === undefined) {
      entry = { delivered: 0, skipped: 0, failed: 0 };
      this.byMapping.set(id, entry);
    }
    return entry;
  }
}
