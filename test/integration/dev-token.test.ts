import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../../client/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** `POST /auth/dev-token` (development mode only): short-lived tokens, for local pages only. */
let t: TestServer;

beforeAll(async () => {
  // As `npm start` runs it in development mode: any origin may call the API (CORS_ORIGINS=*).
  t = await startTestServer({ developmentMode: true, corsOrigins: '*' });
});
afterAll(() => t.close());

function mint(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.url}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A mint with a Host header of our choosing (fetch always sends the real one); answers the status. */
function rawMint(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/auth/dev-token', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ sub: 'mallory' }));
  });
}

async function lifetime(response: Response): Promise<number> {
  expect(response.status).toBe(201);
  const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: number };
  const claims = decodeToken(token);
  expect(expiresAt).toBe((claims.exp as number) * 1000);
  return (claims.exp as number) - (claims.iat as number);
}

describe('development tokens', () => {
  it('live one hour by default', async () => {
    expect(await lifetime(await mint({ sub: 'alice', realm: 'demo', permissions: ['client'] }))).toBe(3600);
  });

  it('live at most 24 hours: a longer expiresIn is refused with INVALID_ARGUMENT', async () => {
    expect(await lifetime(await mint({ sub: 'alice', expiresIn: '24h' }))).toBe(86_400);
    expect(await lifetime(await mint({ sub: 'alice', expiresIn: 90 }))).toBe(90);
    expect(await lifetime(await mint({ sub: 'alice', expiresIn: '1d' }))).toBe(86_400);
    for (const expiresIn of ['25h', '2d', 86_401, '1441m', '90000s', 30 * 24 * 3600]) {
      const response = await mint({ sub: 'alice', expiresIn });
      expect(response.status, String(expiresIn)).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/24 hours/) });
    }
  });

  it('refuse an ill-formed user id with INVALID_ARGUMENT, as every request field is', async () => {
    const response = await mint({ sub: 'a\uD800' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/well-formed/) });
  });

  it('are minted for local pages and non-browser callers, never for another site', async () => {
    const { port } = t.server.address();
    for (const origin of [`http://127.0.0.1:${port}`, 'http://localhost:5173', 'http://[::1]:8080', 'http://127.0.0.2:3000']) {
      expect((await mint({ sub: 'local' }, { origin })).status, origin).toBe(201);
    }
    // DNS rebinding: the attacker's name resolves to this machine, so its page is "same origin".
    expect(await rawMint(port, { origin: `http://evil.example:${port}`, host: `evil.example:${port}` })).toBe(403);
    expect(await rawMint(port, { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` })).toBe(201);
    for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io']) {
      const response = await mint({ sub: 'mallory', realms: ['*'], permissions: ['admin'] }, { origin });
      expect(response.status, origin).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
