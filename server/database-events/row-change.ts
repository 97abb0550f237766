import type { DatabaseOperation } from '../../shared/index.js';

/** A row value as sources deliver it: a JSON-like record (PostgreSQL columns parsed by type, MongoDB documents). */
export type Row = Record<string, unknown>;

/**
 * One committed change of one row, as every source (PostgreSQL, the MongoDB outbox, change
 * streams) hands it to the router. For a delete, `row` is what the source knows of the deleted
 * row (all columns with REPLICA IDENTITY FULL, the key otherwise) and `old` the same.
 *
 * @example
 * const change: RowChange = { table: 'sessions', operation: 'update', row: { id: 1, status: 'done' }, old: { id: 1, status: 'open' } };
 */
export interface RowChange {
  /** The table or collection (without its schema). */
  table: string;
  /** PostgreSQL: the table's schema (`public`); a mapping may name `schema.table`. */
  schema?: string;
  operation: DatabaseOperation;
  row: Row;
  /** The row before an update or delete, when the source has it (REPLICA IDENTITY FULL, an outbox `old`). */
  old?: Row;
}
