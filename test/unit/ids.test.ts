import { describe, expect, it } from 'vitest';
import { newDeliveryId, newDocumentId, newEndpointId, newEventId, newNodeId, newStoreDocumentId, newStreamEpoch, newUlid } from '../../server/ids.js';

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

describe('server ids', () => {
  it('makes ULIDs that are unique and sort in the order they were made, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newUlid());
    for (const id of ids) expect(id).toMatch(new RegExp(`^${ULID}$`));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toStrictEqual(ids);
  });

  it('keeps one order across every kind of ULID-based id (one generator)', () => {
    const ulids = [
      newEventId(),
      newDocumentId(),
      newEndpointId().slice(3),
      newDeliveryId().slice(4),
      newStoreDocumentId().slice(4).toUpperCase(),
      newEventId(),
    ];
    expect([...ulids].sort()).toStrictEqual(ulids);
  });

  it('keeps each id format', () => {
    expect(newEventId()).toMatch(new RegExp(`^${ULID}$`));
    expect(newDocumentId()).toMatch(new RegExp(`^${ULID}$`));
    expect(newStoreDocumentId()).toMatch(/^doc_[0-9a-z]{26}$/);
    expect(newEndpointId()).toMatch(new RegExp(`^wh_${ULID}$`));
    expect(newDeliveryId()).toMatch(new RegExp(`^dlv_${ULID}$`));
    expect(newNodeId()).toMatch(/^node-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newStreamEpoch()).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
