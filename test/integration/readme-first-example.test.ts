import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../packages/build.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The README's "First example", run as written from the repository root: its TypeScript block
 * (only the URL swapped for this server's) imports `@realtime-platform/client` through the
 * workspace link that `npm install` creates and the build its `prepare` script runs; its curl
 * request's body is what gets published. The tokens carry the claims the README's
 * `npm run token` commands give them.
 */
const README = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## First example'), README.indexOf('\n## ', README.indexOf('## First example') + 3));

/** The first ```language block of the section that contains `containing`. */
function codeBlock(language: string, containing = ''): string {
  const blocks = [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```', 'g'))].map((match) => match[1] ?? '');
  const block = blocks.find((text) => text.includes(containing));
  if (block === undefined) throw new Error(`no \`\`\`${language} block with "${containing}" in the README's First example`);
  return block;
}

let server: TestServer;
let workDir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  server = await startTestServer();
  // Inside the repository, so `@realtime-platform/client` resolves as it does for the README's reader.
  workDir = await mkdtemp(path.join(REPO_ROOT, '.tmp-first-example-'));
});

afterAll(async () => {
  child?.kill();
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

describe("the README's first example", () => {
  it('defines $TOKEN and $SERVICE_TOKEN with npm run token', () => {
    expect(section).toMatch(/export TOKEN=\$\(npm run -s token -- [^)]*--permissions client\)/);
    expect(section).toMatch(/export SERVICE_TOKEN=\$\(npm run -s token -- [^)]*--permissions service\)/);
  });

  it('imports the package users install, which npm install has built', () => {
    expect(codeBlock('ts')).toContain("from '@realtime-platform/client'");
    expect(existsSync(path.join(REPO_ROOT, 'node_modules/@realtime-platform/client/dist/client/index.js')), 'npm install (prepare) builds it').toBe(true);
  });

  it('receives the event the curl request publishes', async () => {
    const example = codeBlock('ts').replaceAll('http://localhost:3000', server.url);
    expect(example).toContain(server.url);
    // A marker after the example's last line (`await client.ready()`): subscribed, publish now.
    const file = path.join(workDir, 'first-example.ts');
    await writeFile(file, `${example}\nconsole.log('EXAMPLE READY');\n`);
    const token = await server.token({ sub: 'alice', realm: 'demo', permissions: ['client'] });
    const serviceToken = await server.token({ sub: 'backend', realm: 'demo', permissions: ['service'] });

    const running = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: REPO_ROOT,
      env: { ...process.env, TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = running;
    let output = '';
    const waiters: { text: string; resolve: () => void }[] = [];
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const waiter of waiters.filter((w) => output.includes(w.text))) waiter.resolve();
    };
    running.stdout.on('data', onOutput);
    running.stderr.on('data', onOutput);
    const exited = new Promise<never>((_resolve, reject) => {
      running.once('exit', (code) => reject(new Error(`the example exited (${code}):\n${output}`)));
    });
    const printed = (text: string): Promise<void> =>
      Promise.race([new Promise<void>((resolve) => (output.includes(text) ? resolve() : waiters.push({ text, resolve }))), exited]);

    const ready = printed('EXAMPLE READY');
    await ready;
    expect(output).toContain('connection: connected');

    const body = /-d '([^']+)'/.exec(codeBlock('sh', 'curl'))?.[1];
    expect(body).toBeDefined();
    const received = printed("{ campusId: 12, status: 'open' }");
    const response = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(201);
    await received;
    // Starting tsx and compiling the example takes a few seconds on a loaded machine.
  }, 60_000);
});
