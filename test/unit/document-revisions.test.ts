import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../shared/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { checkWritable, createRevision, createdDocument, documentNotFound, nextDocument } from '../../server/sync/document-revisions.js';

const NOW = 1_700_000_000_000;

function doc(overrides: Partial<SyncDocument> = {}): SyncDocument {
  return { service: 'notes', id: 'a', revision: 3, data: { title: 'A' }, createdAt: NOW - 5000, updatedAt: NOW - 1000, ...overrides };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('createRevision', () => {
  it('starts a new document at revision 1', () => {
    expect(createRevision(undefined, 'notes', 'a', NOW)).toBe(1);
  });

  it('continues the revisions of a tombstone', () => {
    expect(createRevision({ revision: 4, deleted: true }, 'notes', 'a', NOW)).toBe(5);
  });

  it('starts again at 1 over an expired document, live or deleted (the known issue, kept as it is)', () => {
    expect(createRevision({ revision: 7, expiresAt: NOW }, 'notes', 'a', NOW)).toBe(1);
    expect(createRevision({ revision: 7, deleted: true, expiresAt: NOW - 1 }, 'notes', 'a', NOW)).toBe(1);
  });

  it('refuses a live document with ALREADY_EXISTS', () => {
    const err = catchError(() => createRevision({ revision: 2, expiresAt: NOW + 1 }, 'notes', 'a', NOW));
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as Error).message).toBe('Document notes/a already exists');
  });
});

describe('createdDocument', () => {
  it('builds the stored document with both times now and the expiry only when given', () => {
    expect(createdDocument(undefined, 'notes', { id: 'a', data: { x: 1 } }, NOW)).toStrictEqual({
      service: 'notes',
      id: 'a',
      revision: 1,
      data: { x: 1 },
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(createdDocument({ revision: 2, deleted: true }, 'notes', { id: 'a', data: {}, expiresAt: NOW + 10 }, NOW)).toMatchObject({
      revision: 3,
      expiresAt: NOW + 10,
    });
  });
});

describe('checkWritable', () => {
  it('returns the live document when no revision is expected, or the expected one matches', () => {
    const current = doc();
    expect(checkWritable(current, 'notes', 'a', undefined, NOW)).toBe(current);
    expect(checkWritable(current, 'notes', 'a', 3, NOW)).toBe(current);
  });

  it('fails with CONFLICT and a copy of the current document when the revision differs', () => {
    const current = doc();
    const err = catchError(() => checkWritable(current, 'notes', 'a', 2, NOW));
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toBe('Document notes/a is at revision 3, not 2');
    expect((err as ConflictError).details).toStrictEqual({ current });
    expect(((err as ConflictError).details as { current: unknown }).current).not.toBe(current);
  });

  it('reads missing, deleted and expired documents as NOT_FOUND, before any revision check', () => {
    for (const current of [undefined, doc({ deleted: true, data: {} }), doc({ expiresAt: NOW })]) {
      const err = catchError(() => checkWritable(current, 'notes', 'a', 99, NOW));
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toBe('Document notes/a not found');
    }
  });
});

describe('nextDocument', () => {
  it('adds exactly 1 to the revision, takes the new data and keeps createdAt', () => {
    const current = doc({ expiresAt: NOW + 60_000 });
    expect(nextDocument(current, { data: { title: 'B' } }, undefined, NOW)).toStrictEqual({
      service: 'notes',
      id: 'a',
      revision: 4,
      data: { title: 'B' },
      createdAt: NOW - 5000,
      updatedAt: NOW,
      expiresAt: NOW + 60_000,
    });
    expect(current.revision).toBe(3);
  });

  it('turns a delete into a tombstone with empty data and the next revision', () => {
    expect(nextDocument(doc(), { deleted: true }, undefined, NOW)).toStrictEqual({
      service: 'notes',
      id: 'a',
      revision: 4,
      data: {},
      createdAt: NOW - 5000,
      updatedAt: NOW,
      deleted: true,
    });
  });

  it('sets, clears or keeps the expiry', () => {
    const current = doc({ expiresAt: NOW + 60_000 });
    expect(nextDocument(current, { data: {} }, NOW + 5, NOW).expiresAt).toBe(NOW + 5);
    expect(nextDocument(current, { data: {} }, null, NOW)).not.toHaveProperty('expiresAt');
    expect(nextDocument(current, { data: {} }, undefined, NOW).expiresAt).toBe(NOW + 60_000);
    expect(nextDocument(doc(), { data: {} }, undefined, NOW)).not.toHaveProperty('expiresAt');
  });
});

describe('documentNotFound', () => {
  it('words NOT_FOUND the same for every store', () => {
    const err = documentNotFound('notes', 'a');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('Document notes/a not found');
  });
});
