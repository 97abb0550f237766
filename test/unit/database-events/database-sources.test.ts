import { describe, expect, it } from 'vitest';
import type { ChangeStreamDocument } from 'mongodb';
import { changeOf as changeOfStreamEvent, supportsChangeStreams } from '../../../server/database-events/change-stream-source.js';
import { changeOf as changeOfOutbox, type OutboxDocument } from '../../../server/database-events/outbox-source.js';
import { compareLsn, formatLsn, lsnValue } from '../../../server/database-events/lsn.js';

describe('MongoDB source choice', () => {
  it('uses change streams on a replica set member or a mongos, and the outbox on a standalone server or FerretDB', () => {
    expect(supportsChangeStreams({ isWritablePrimary: true, setName: 'rs0', hosts: ['a:27017'] })).toBe(true);
    expect(supportsChangeStreams({ isWritablePrimary: true, msg: 'isdbgrid' })).toBe(true);
    expect(supportsChangeStreams({ isWritablePrimary: true, maxWireVersion: 21 })).toBe(false);
  });

  it('reads change-stream events as row changes, skipping the outbox and events that are not row changes', () => {
    const ns = { db: 'app', coll: 'orders' };
    const update = {
      operationType: 'update',
      ns,
      documentKey: { _id: 1 },
      fullDocument: { _id: 1, status: 'paid' },
      fullDocumentBeforeChange: { _id: 1, status: 'new' },
    } as unknown as ChangeStreamDocument;
    expect(changeOfStreamEvent(update, new Set())).toEqual({
      table: 'orders',
      operation: 'update',
      row: { _id: 1, status: 'paid' },
      old: { _id: 1, status: 'new' },
    });
    const deleted = { operationType: 'delete', ns, documentKey: { _id: 2 } } as unknown as ChangeStreamDocument;
    expect(changeOfStreamEvent(deleted, new Set())).toEqual({ table: 'orders', operation: 'delete', row: { _id: 2 }, old: { _id: 2 } });
    expect(
      changeOfStreamEvent({ ...update, ns: { db: 'app', coll: 'realtime_outbox' } } as ChangeStreamDocument, new Set(['realtime_outbox'])),
    ).toBeUndefined();
    expect(changeOfStreamEvent({ operationType: 'drop', ns } as unknown as ChangeStreamDocument, new Set())).toBeUndefined();
  });

  it('reads outbox documents and names what is wrong with a bad one', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(changeOfOutbox({ table: 'orders', operation: 'insert', row: { id: 1, at } })).toEqual({
      table: 'orders',
      operation: 'insert',
      row: { id: 1, at: '2026-01-01T00:00:00.000Z' },
    });
    expect(changeOfOutbox({ table: 'orders', operation: 'upsert', row: {} } as unknown as OutboxDocument)).toBe('operation must be insert, update or delete');
    expect(changeOfOutbox({ table: '', operation: 'insert', row: {} })).toBe('table must be a non-empty string');
    expect(changeOfOutbox({ table: 'orders', operation: 'insert', row: [] as unknown as Record<string, unknown> })).toBe('row must be a document');
  });
});

describe('PostgreSQL LSNs', () => {
  it('compare by value, whatever their zero padding', () => {
    expect(compareLsn('0/16B3748', '00000000/016B3748')).toBe(0);
    expect(compareLsn('0/FFFFFFFF', '1/0')).toBe(-1);
    expect(formatLsn(lsnValue('16/B374D848'))).toBe('16/B374D848');
  });
});
