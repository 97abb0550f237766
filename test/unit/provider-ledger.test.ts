import { describe, expect, it } from 'vitest';
import { ProviderLedger } from '../../server/index.js';

const connected = (id: string) => ({ id, connectionStatus: 'connected' });
const disconnected = (id: string) => ({ id, connectionStatus: 'disconnected' });

describe('ProviderLedger', () => {
  it('connects an object with its first provider and disconnects it with its last (n:m)', () => {
    const ledger = new ProviderLedger();
    expect(ledger.add('phone', ['riders/7'])).toEqual([connected('riders/7')]);
    expect(ledger.add('laptop', ['riders/7', 'riders/8'])).toEqual([connected('riders/8')]);
    expect(ledger.presence('riders/7')).toEqual({ id: 'riders/7', connectionStatus: 'connected', providerCount: 2 });
    expect(ledger.remove('phone')).toEqual([]);
    expect(ledger.presence('riders/7').providerCount).toBe(1);
    expect(ledger.remove('laptop')).toEqual([disconnected('riders/7'), disconnected('riders/8')]);
    expect(ledger.presence('riders/7')).toEqual({ id: 'riders/7', connectionStatus: 'disconnected', providerCount: 0 });
    expect(ledger.isEmpty).toBe(true);
  });

  it('covers every id a wildcard matches, without announcing ids it already covers', () => {
    const ledger = new ProviderLedger();
    expect(ledger.add('proxy', ['riders/*'])).toEqual([connected('riders/*')]);
    expect(ledger.presence('riders/anything/deep').connectionStatus).toBe('connected');
    expect(ledger.presence('cars/1').connectionStatus).toBe('disconnected');
    expect(ledger.add('phone', ['riders/7'])).toEqual([]);
    expect(ledger.add('sub-proxy', ['riders/cyclists/*'])).toEqual([]);
    expect(ledger.presence('riders/7').providerCount).toBe(2);

    // The wildcard goes; what is still provided stays connected.
    expect(ledger.remove('proxy')).toEqual([disconnected('riders/*')]);
    expect(ledger.presence('riders/7').connectionStatus).toBe('connected');
    expect(ledger.presence('riders/cyclists/3').connectionStatus).toBe('connected');
    expect(ledger.presence('riders/9').connectionStatus).toBe('disconnected');
    expect(ledger.remove('phone')).toEqual([disconnected('riders/7')]);
    expect(ledger.remove('sub-proxy')).toEqual([disconnected('riders/cyclists/*')]);
  });

  it('announces an exact id that outlived its provider under a wildcard when the wildcard goes', () => {
    const ledger = new ProviderLedger();
    ledger.add('phone', ['riders/7']);
    expect(ledger.add('proxy', ['riders/*'])).toEqual([connected('riders/*')]);
    expect(ledger.remove('phone')).toEqual([]);
    expect(ledger.presence('riders/7').connectionStatus).toBe('connected');
    expect(ledger.remove('proxy')).toEqual([disconnected('riders/7'), disconnected('riders/*')]);
  });

  it('treats one-segment wildcards by the permission rules', () => {
    const ledger = new ProviderLedger();
    ledger.add('gateway', ['fleet/*/van']);
    expect(ledger.presence('fleet/north/van').connectionStatus).toBe('connected');
    expect(ledger.presence('fleet/north/south/van').connectionStatus).toBe('disconnected');
    expect(ledger.add('depot', ['fleet/north/van'])).toEqual([]);
  });

  it('withdraws some keys of a connection (a refreshed token), keeping the rest', () => {
    const ledger = new ProviderLedger();
    ledger.add('c', ['riders/7', 'vans/*']);
    expect(ledger.removeKeys('c', ['riders/7', 'unknown'])).toEqual([disconnected('riders/7')]);
    expect(ledger.presence('vans/1').connectionStatus).toBe('connected');
    expect(ledger.provides('c')).toBe(true);
    expect(ledger.removeKeys('c', ['vans/*'])).toEqual([disconnected('vans/*')]);
    expect(ledger.provides('c')).toBe(false);
    expect(ledger.isEmpty).toBe(true);
    expect(ledger.removeKeys('c', ['vans/*'])).toEqual([]);
  });

  it('announces wildcards before the exact ids of one registration, and ignores repeats', () => {
    const ledger = new ProviderLedger();
    expect(ledger.add('c', ['riders/7', 'riders/*', 'riders/7'])).toEqual([connected('riders/*')]);
    expect(ledger.add('c', ['riders/7'])).toEqual([]);
    expect(ledger.presence('riders/7').providerCount).toBe(1);
    expect(ledger.remove('unknown')).toEqual([]);
  });
});
