import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRpcCall, type RpcOutcome } from '../../server/rpc/pending-rpc-call.js';

function pending(outcomes: RpcOutcome[]): PendingRpcCall {
  return new PendingRpcCall({
    callId: 'n.1',
    providerId: 'p1',
    name: 'add-two',
    acceptTimeoutMs: 100,
    responseTimeoutMs: 1000,
    onSettled: (o) => outcomes.push(o),
  });
}

describe('PendingRpcCall', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fails with ACCEPT_TIMEOUT when the offer is not taken in time, once', () => {
    const outcomes: RpcOutcome[] = [];
    const call = pending(outcomes);
    vi.advanceTimersByTime(100);
    call.accept();
    call.settle({ type: 'result', data: 1 });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ type: 'error', error: { code: 'ACCEPT_TIMEOUT', details: { name: 'add-two', timeoutMs: 100 } } });
  });

  it('starts the response timeout on acceptance', () => {
    const outcomes: RpcOutcome[] = [];
    const call = pending(outcomes);
    vi.advanceTimersByTime(99);
    call.accept();
    vi.advanceTimersByTime(999);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes[0]).toMatchObject({ type: 'error', error: { code: 'RESPONSE_TIMEOUT', details: { timeoutMs: 1000 } } });
  });

  it('passes an offered call on when its provider goes, and fails an accepted one with RPC_PROVIDER_LOST', () => {
    const offered: RpcOutcome[] = [];
    pending(offered).providerLost();
    expect(offered).toEqual([{ type: 'gone' }]);
    const accepted: RpcOutcome[] = [];
    const call = pending(accepted);
    call.accept();
    call.providerLost();
    expect(accepted[0]).toMatchObject({ type: 'error', error: { code: 'RPC_PROVIDER_LOST' } });
    vi.advanceTimersByTime(5000);
    expect(accepted).toHaveLength(1);
  });
});
