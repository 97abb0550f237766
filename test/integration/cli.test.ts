import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient, decodeToken } from '../../client/index.js';
import { nextEvent } from '../support/wait.js';

const children: ChildProcessWithoutNullStreams[] = [];

function run(script: string, env: Record<string, string>, args: string[] = []): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: process.cwd(),
  });
  children.push(child);
  return child;
}

async function output(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Reads stdout until the development banner has printed the URL and the token. */
function banner(child: ChildProcessWithoutNullStreams): Promise<{ url: string; token: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const url = /development mode\) at (http:\/\/\S+)/.exec(text)?.[1];
      const token = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(text)?.[1];
      if (url !== undefined && token !== undefined) resolve({ url, token });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
  });
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});

describe('npm start (server/cli.ts)', () => {
  it('starts in development mode on embedded defaults and prints a working token', async () => {
    const child = run('server/cli.ts', { PORT: '0', LOG_LEVEL: 'warn' });
    const { url, token } = await banner(child);
    expect(decodeToken(token)).toMatchObject({ sub: 'developer', realm: 'demo', permissions: ['service'] });

    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    const client = new RealtimeClient({ url, token });
    try {
      client.subscribe({ topic: 'order.updated', filter: { region: 'eu' } });
      await client.ready();
      const received = nextEvent(client, 'event:order.updated');
      const response = await fetch(`${url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ topic: 'order.updated', payload: { region: 'eu', id: 1 } }),
      });
      expect(response.status).toBe(201);
      expect((await received).payload).toEqual({ region: 'eu', id: 1 });
    } finally {
      client.destroy();
    }

    const devToken = await fetch(`${url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'bob', realm: 'demo', permissions: ['client'] }),
    });
    expect(devToken.status).toBe(201);
    const { token: bobToken } = (await devToken.json()) as { token: string };
    expect(decodeToken(bobToken)).toMatchObject({ sub: 'bob', realm: 'demo' });

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses to start in production without JWT configuration, and never prints a token', async () => {
    const { code, stdout, stderr } = await output(run('server/cli.ts', { PORT: '0', NODE_ENV: 'production' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/JWT_SECRET: one of JWT_SECRET, JWT_SECRETS or JWT_JWKS_URL is required when NODE_ENV=production/);
    expect(stdout).not.toMatch(/eyJ/);
  });

  it('reports each invalid variable', async () => {
    const { code, stderr } = await output(run('server/cli.ts', { PORT: 'abc', JWT_SECRET: 'short' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT: must be a number/);
    expect(stderr).toMatch(/JWT_SECRET: must be at least 32 characters/);
  });

  it('has no dev-token route in production', async () => {
    const child = run('server/cli.ts', { PORT: '0', NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32), LOG_LEVEL: 'info' });
    const port = await new Promise<number>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /"port":(\d+),"msg":"listening"/.exec(chunk.toString());
        if (match?.[1] !== undefined) resolve(Number(match[1]));
      });
    });
    const response = await fetch(`http://127.0.0.1:${port}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'mallory' }),
    });
    expect(response.status).toBe(404);
  });
});

describe('npm run token (server/token-cli.ts)', () => {
  it('signs a token with JWT_SECRETS and the kid', async () => {
    const { code, stdout } = await output(
      run('server/token-cli.ts', { JWT_SECRETS: JSON.stringify({ k9: 'k'.repeat(32) }) }, [
        '--sub',
        'alice',
        '--realm',
        'demo',
        '--permissions',
        'client,publish',
        '--expires-in',
        '30m',
      ]),
    );
    expect(code).toBe(0);
    const token = stdout.trim();
    const claims = decodeToken(token);
    expect(claims).toMatchObject({ sub: 'alice', realm: 'demo', permissions: ['client', 'publish'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(1800);
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid?: string; alg: string };
    expect(header).toMatchObject({ alg: 'HS256', kid: 'k9' });
  });

  it('explains what is missing', async () => {
    const { code, stderr } = await output(run('server/token-cli.ts', { JWT_SECRET: 'k'.repeat(32) }, []));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--sub is required/);
  });
});
