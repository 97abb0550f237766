import { LimitExceededError, type DocumentListPage, type SyncDocument } from '../../shared/index.js';
import { checkListOptions } from './document-store-arguments.js';
import { MAX_LIST_LIMIT, type DocumentStore, type ListDocumentsOptions } from './document-store.js';

/**
 * Most documents one `list` call examines on behalf of a caller that may read only some of them
 * (10 store pages); a call that examines this many without filling its page answers what it found,
 * or `LIMIT_EXCEEDED` when it found nothing.
 *
 * @example
 * LIST_SCAN_LIMIT; // 10000
 */
export const LIST_SCAN_LIMIT = 10 * MAX_LIST_LIMIT;

/**
 * Who may read what, for {@link listReadable}.
 *
 * @example
 * const filter: ReadableFilter = { readsAll: false, readable: (id) => can(principal, realm, docResource('notes', id), 'R') };
 */
export interface ReadableFilter {
  /** Whether the caller may read every document of the service (then the store pages as they are). */
  readsAll: boolean;
  /** Whether the caller may read the document with this id. */
  readable: (id: string) => boolean;
}

/**
 * One page of live documents the caller may read, in id order, with a `nextCursor` only while
 * more readable documents follow.
 *
 * Why it pages over readable documents only: a store page's last id is a document the caller may
 * not read as often as not, and handing it out as a cursor reveals it (issue 11, item 5). So the
 * store is read in pages of {@link MAX_LIST_LIMIT} from `after`, keeping readable documents, until
 * one more than `limit` is found (the cursor is then the id of the last one returned, which the
 * caller may read), the store has no more, or {@link LIST_SCAN_LIMIT} documents were examined.
 * The cost of a call is bounded; a caller that may read everything pays nothing extra.
 *
 * @throws LimitExceededError when {@link LIST_SCAN_LIMIT} documents were examined and none was
 *   readable (`details: { limit }`).
 * @example
 * const page = await listReadable(store, realm, 'notes', { limit: 20 }, { readsAll: false, readable });
 */
export async function listReadable(
  store: DocumentStore,
  realm: string,
  service: string,
  options: ListDocumentsOptions,
  filter: ReadableFilter,
): Promise<DocumentListPage> {
  const { limit, after } = checkListOptions(options);
  if (filter.readsAll) {
    const page = await store.list(realm, service, { limit, ...(after === undefined ? {} : { after }) });
    return page.nextCursor === undefined ? { items: page.items } : { items: page.items, nextCursor: page.nextCursor };
  }
  const found: SyncDocument[] = [];
  let cursor = after;
  let scanned = 0;
  let exhausted = false;
  // Pages start at what the answer needs and double: a caller who reads most documents loads about
  // `limit` of them, and one who reads few still reaches the scan budget in a handful of pages.
  let pageSize = Math.min(limit + 1, MAX_LIST_LIMIT);
  while (found.length <= limit && scanned < LIST_SCAN_LIMIT && !exhausted) {
    const size = Math.min(pageSize, LIST_SCAN_LIMIT - scanned);
    pageSize = Math.min(pageSize * 2, MAX_LIST_LIMIT);
    const page = await store.list(realm, service, { limit: size, ...(cursor === undefined ? {} : { after: cursor }) });
    for (const document of page.items) {
      scanned += 1;
      cursor = document.id;
      if (filter.readable(document.id)) found.push(document);
      if (found.length > limit) break;
    }
    exhausted = page.nextCursor === undefined;
  }
  if (found.length > limit) {
    const items = found.slice(0, limit);
    return { items, nextCursor: (items[items.length - 1] as SyncDocument).id };
  }
  if (exhausted) return { items: found };
  const last = found[found.length - 1];
  if (last === undefined) {
    throw new LimitExceededError(
      `Listing examined ${LIST_SCAN_LIMIT} documents of "${service}" without finding one this token may read; list with a token that may read more of them`,
      { details: { limit: LIST_SCAN_LIMIT } },
    );
  }
  // The budget ran out before the page filled: what was found, and a cursor it may read.
  return { items: found, nextCursor: last.id };
}
