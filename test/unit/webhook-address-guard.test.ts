import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup, isPrivateAddress, isPrivateHostName } from '../../server/webhooks/address-guard.js';

describe('address guard', () => {
  it('knows private, loopback, link-local and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '10.0.0.1',
      '100.64.1.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '93.184.215.14', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('judges IPv6 forms that embed an IPv4 address by that address', () => {
    for (const address of [
      '::127.0.0.1', // IPv4-compatible (deprecated)
      '::7f00:1', // the same, as URL parsing writes it
      '::ffff:0:127.0.0.1', // IPv4-translated (RFC 2765)
      '::ffff:0:7f00:1',
      '::ffff:0:10.1.2.3',
      '::a9fe:a9fe', // 169.254.169.254, the cloud metadata address
      '::ffff:169.254.169.254',
      '2002:7f00:1::', // 6to4 of 127.0.0.1
      '2002:7f00:0001::1',
      '2002:a00:1:1234::5', // 6to4 of 10.0.0.1
      '2002:a9fe:a9fe::1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1 (stored inverted)
      '2001:0000:4136:e378:8000:63bf:f5ff:fffe', // Teredo, client 10.0.0.1
      '2001:0:a00:1::f7f7:f7f7', // Teredo through a private server address
      '64:ff9b::7f00:1', // NAT64
      '64:ff9b::127.0.0.1',
      'fe80::1%eth0',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const host of ['[::7f00:1]', '[::ffff:0:7f00:1]', '[2002:7f00:1::]', '[2001:0:4136:e378:8000:63bf:80ff:fffe]']) {
      expect(isPrivateHostName(host), host).toBe(true);
      expect(isPrivateHostName(new URL(`http://${host}/`).hostname), host).toBe(true);
    }
    for (const address of [
      '::ffff:8.8.8.8',
      '::8.8.8.8',
      '2002:808:808::1', // 6to4 of 8.8.8.8
      '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo, client 8.8.8.8
      '2001:4860:4860::8888',
    ]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('judges host names without a lookup where it can', () => {
    expect(isPrivateHostName('localhost')).toBe(true);
    expect(isPrivateHostName('LOCALHOST.')).toBe(true);
    expect(isPrivateHostName('db.localhost')).toBe(true);
    expect(isPrivateHostName('[::1]')).toBe(true);
    expect(isPrivateHostName('10.0.0.8')).toBe(true);
    expect(isPrivateHostName('example.com')).toBe(false);
    expect(isPrivateHostName('8.8.8.8')).toBe(false);
  });

  it('refuses names that resolve only to private addresses when connecting, unless allowed', async () => {
    const lookup = (allow: boolean, all: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) =>
        guardedLookup(allow)('localhost', { all }, (err, address) => resolve({ err, address })),
      );
    const refused = await lookup(false, true);
    expect(refused.err).toMatchObject({ name: 'PrivateAddressError', code: 'EPRIVATEADDRESS' });
    expect(refused.err?.message).toContain('WEBHOOKS_ALLOW_PRIVATE_NETWORKS');
    expect((await lookup(false, false)).err).toMatchObject({ code: 'EPRIVATEADDRESS' });
    const allowed = await lookup(true, true);
    expect(allowed.err).toBeNull();
    expect((allowed.address as LookupAddress[]).some(({ address }) => address === '127.0.0.1' || address === '::1')).toBe(true);
    const single = await lookup(true, false);
    expect(typeof single.address).toBe('string');
  });
});
