import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../../server/auth/token-verifier.js';

/**
 * The algorithms a JWKS URL's keys may sign with stay the configured ones (`jwksAlgorithms`) when
 * the platform's managed keys, which use more algorithms, are accepted beside them.
 */
let server: Server;
let url: string;
let edKey: CryptoKey;
let esKey: CryptoKey;

beforeAll(async () => {
  const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  edKey = ed.privateKey;
  esKey = es.privateKey;
  const keys = [
    { ...(await exportJWK(ed.publicKey)), kid: 'ed', alg: 'EdDSA' },
    { ...(await exportJWK(es.publicKey)), kid: 'es', alg: 'ES256' },
  ];
  server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sign = (key: CryptoKey, alg: string, kid: string) =>
  new SignJWT({ realm: 'demo' }).setProtectedHeader({ alg, kid }).setSubject('alice').setExpirationTime('5m').sign(key);

describe('JWKS algorithms with managed keys', () => {
  it('accepts the configured algorithm and refuses another one the JWKS happens to hold', async () => {
    const verifier = new TokenVerifier({ jwksUrl: url, jwksAlgorithms: ['ES256'] });
    verifier.useManagedKeys({ verificationKey: async () => undefined });
    await expect(verifier.verify(await sign(esKey, 'ES256', 'es'))).resolves.toMatchObject({ userId: 'alice' });
    await expect(verifier.verify(await sign(edKey, 'EdDSA', 'ed'))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });
});
