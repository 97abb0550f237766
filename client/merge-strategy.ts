import type { SyncDocument } from '../shared/index.js';

/**
 * What a merge strategy is given when a write met a newer revision: the data this client wanted
 * to write and the revision it was based on, and the document as it is now.
 *
 * @example
 * const strategy: MergeStrategy = ({ local, remote }) => ({ ...remote.data, ...local });
 */
export interface MergeConflict {
  service: string;
  id: string;
  /** The data this client tried to write. */
  local: Record<string, unknown>;
  /** The revision that write expected (0: it expected to create the document). */
  localRevision: number;
  /** The stored document it conflicted with (`revision` and `data`). */
  remote: SyncDocument;
}

/**
 * Resolves a conflict: answers the data to write over the remote revision. Answering the remote
 * data as it is (deep-equal) writes nothing: the write resolves with the remote document.
 * Answering `undefined` declines: the write fails with its `ConflictError`, for the caller to
 * resolve (a strategy may merge what it can and leave the rest to the user).
 *
 * @example
 * client.sync.setMergeStrategy('notes', ({ local, remote }) => ({ ...remote.data, body: local.body }));
 */
export type MergeStrategy = (conflict: MergeConflict) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

/**
 * The two built-in strategies (deepstream's `REMOTE_WINS` and `LOCAL_WINS`).
 *
 * @example
 * new RealtimeClient({ url, token, mergeStrategy: MergeStrategies.localWins });
 */
export const MergeStrategies = {
  /** Keep what is stored: the local write is dropped. */
  remoteWins: ({ remote }: MergeConflict) => remote.data,
  /** Write the local data over the newer revision. */
  localWins: ({ local }: MergeConflict) => local,
} as const satisfies Record<string, MergeStrategy>;
