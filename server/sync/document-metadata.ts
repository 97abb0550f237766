import type { SyncDocument, SyncDocumentMetadata, SyncWriteResult } from '../../shared/index.js';

/**
 * A document without its data (see `SyncDocumentMetadata`): what a caller that may write but not
 * read a document gets back.
 *
 * @example
 * documentMetadata(doc); // { service, id, revision, createdAt, updatedAt, deleted?, expiresAt? }
 */
export function documentMetadata(document: SyncDocument): SyncDocumentMetadata {
  const { data: _withheld, ...metadata } = document;
  return metadata;
}

/**
 * The document as a caller sees it: whole when it may read it, else its metadata.
 *
 * @example
 * return documentView(result.current, can(principal, realm, docResource(service, id), 'R'));
 */
export function documentView(document: SyncDocument, readable: boolean): SyncWriteResult {
  return readable ? document : documentMetadata(document);
}
