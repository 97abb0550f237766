import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

/**
 * The deployment files (Dockerfile, compose.yaml, deploy/nginx.conf). No Docker engine runs here,
 * so the image is never built in these tests. What is checked instead: compose.yaml as `docker
 * compose` reads it (compose-go, its loader, built from test/compose-config; and `docker compose
 * config` itself where the compose plugin is installed), the Dockerfile's instructions and the
 * files they copy, the image's command and health check run here as the image would run them, and
 * the nginx configuration against the services it balances.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const JWT_SECRET = 'compose-test-secret-that-is-long-enough-0123456789';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  restart?: string;
  command?: string[] | null;
  environment?: Record<string, string | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  ports?: { target: number; published: string }[];
  volumes?: { type: string; source: string; target: string; read_only?: boolean }[];
}

interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
}

/** The loaders that resolve compose.yaml here: compose-go always, `docker compose` where it exists. */
const loaders: { name: string; load: (env: Record<string, string>) => ComposeProject }[] = [];
const COMPOSE_CONFIG = path.join(ROOT, '.cache/compose-config/compose-config');

function runLoader(file: string, args: string[], env: Record<string, string>): ComposeProject {
  const result = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as ComposeProject;
}

beforeAll(() => {
  execFileSync('bash', [path.join(ROOT, 'test/compose-config/build.sh')], { stdio: 'ignore' });
  loaders.push({ name: 'compose-go', load: (env) => runLoader(COMPOSE_CONFIG, ['compose.yaml'], env) });
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) {
    loaders.push({ name: 'docker compose config', load: (env) => runLoader('docker', ['compose', '-f', 'compose.yaml', 'config', '--format', 'json'], env) });
  }
  // The image runs dist/server/cli.js: build it as `npm start` would.
  execFileSync('npm', ['run', 'build', '--', '--if-stale'], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, npm_config_update_notifier: 'false' } });
});

const NODES = ['node1', 'node2'] as const;

describe('compose.yaml', () => {
  it('resolves (schema, anchors, interpolation) to MongoDB, Redis, two nodes built from the Dockerfile, and a balancer', () => {
    for (const { name, load } of loaders) {
      const project = load({ JWT_SECRET });
      expect(Object.keys(project.services).sort(), name).toEqual(['balancer', 'mongo', 'node1', 'node2', 'redis']);
      for (const node of NODES) {
        const service = project.services[node] as ComposeService;
        expect(service.build, `${name} ${node}`).toEqual({ context: path.resolve(ROOT), dockerfile: 'Dockerfile' });
        expect(service.environment, `${name} ${node}`).toMatchObject({
          NODE_ENV: 'production',
          JWT_SECRET,
          MONGODB_URL: 'mongodb://mongo:27017',
          REDIS_URL: 'redis://redis:6379',
        });
        // The image's command runs (no `npm ci` at start, no shell as PID 1).
        expect(service.command ?? null, `${name} ${node}`).toBeNull();
        expect(service.depends_on, `${name} ${node}`).toEqual({
          mongo: expect.objectContaining({ condition: 'service_healthy' }),
          redis: expect.objectContaining({ condition: 'service_healthy' }),
        });
        // More than the drain (SHUTDOWN_TIMEOUT_MS, 10 s by default) plus closing the stores.
        expect(Number.parseInt(service.stop_grace_period ?? '0', 10), `${name} ${node}`).toBeGreaterThanOrEqual(15);
        expect(service.volumes ?? [], `${name} ${node}: the repository is not mounted into a node`).toEqual([]);
      }
      for (const [serviceName, service] of Object.entries(project.services)) {
        expect(service.restart, `${name} ${serviceName}`).toBe('unless-stopped');
        // Nodes get theirs from the Dockerfile's HEALTHCHECK; the others need one here.
        if (!serviceName.startsWith('node')) expect(service.healthcheck?.test[0], `${name} ${serviceName}`).toBe('CMD');
      }
      const balancer = project.services.balancer as ComposeService;
      expect(
        balancer.ports?.map(({ target }) => target),
        name,
      ).toEqual([80]);
      expect(balancer.volumes?.[0]).toMatchObject({ type: 'bind', source: path.join(path.resolve(ROOT), 'deploy/nginx.conf'), read_only: true });
      expect(balancer.depends_on, name).toEqual({
        node1: expect.objectContaining({ condition: 'service_healthy' }),
        node2: expect.objectContaining({ condition: 'service_healthy' }),
      });
    }
  });

  it('refuses to start without JWT_SECRET rather than running with none', () => {
    for (const { name, load } of loaders) expect(() => load({}), name).toThrow(/JWT_SECRET/);
  });

  it('fails the loader on a key the Compose specification does not have (the check is a real one)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-'));
    try {
      const file = path.join(dir, 'compose.yaml');
      writeFileSync(file, read('compose.yaml').replace('restart: unless-stopped', 'restrat: unless-stopped'));
      const broken = spawnSync(COMPOSE_CONFIG, [file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', JWT_SECRET } });
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toMatch(/restrat/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function dockerfileInstructions(text: string): { keyword: string; args: string }[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const instructions = dockerfileInstructions(read('Dockerfile'));
  const lastFrom = instructions.map(({ keyword }) => keyword).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const final = (keyword: string): string | undefined => runtime.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;

  it('builds in one stage and runs, as a non-root user, from production dependencies and dist/ in another', () => {
    expect(instructions.filter(({ keyword }) => keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    const user = final('USER');
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
    expect(runtime.some(({ keyword, args }) => keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(args))).toBe(true);
    expect(runtime.some(({ keyword, args }) => keyword === 'COPY' && /--from=build\s+\/app\/dist\s/.test(args))).toBe(true);
    expect(instructions.some(({ keyword, args }) => keyword === 'RUN' && args.includes('npm run build'))).toBe(true);
  });

  it('starts node itself (exec form: node is PID 1 and gets SIGTERM), with a health check, on a file the build writes', () => {
    const cmd = JSON.parse(final('CMD') ?? 'null') as string[];
    expect(cmd[0]).toBe('node');
    expect(existsSync(path.join(ROOT, cmd[1] ?? ''))).toBe(true);
    expect(final('HEALTHCHECK')).toMatch(/^--interval=\S+ .*CMD \[/);
    expect(final('ENTRYPOINT')).toBeUndefined();
  });

  it('copies only files that exist, and the build context leaves out node_modules, dist and .git', () => {
    for (const { keyword, args } of instructions) {
      if (keyword !== 'COPY' || args.startsWith('--from=')) continue;
      const sources = args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(path.join(ROOT, source)), `COPY ${source}`).toBe(true);
    }
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.cache']) expect(ignored).toContain(entry);
  });

  it('runs here as the image runs it: its health check passes, and SIGTERM to node drains and exits 0', async () => {
    const env = Object.fromEntries(
      runtime.filter(({ keyword }) => keyword === 'ENV').flatMap(({ args }) => [...args.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1], match[2]])),
    ) as Record<string, string>;
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    const cmd = JSON.parse(final('CMD') ?? '[]') as string[];
    // Loopback and port 0 here (the container's 0.0.0.0:3000 is its own network).
    const child = spawn(process.execPath, cmd.slice(1), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: '0', JWT_SECRET, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"port":(\d+),"msg":"listening"/.exec(output);
        if (match !== null) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${String(code)}: ${output}`)));
    });
    try {
      const healthcheck = JSON.parse(/CMD (\[.*\])$/.exec(final('HEALTHCHECK') ?? '')?.[1] ?? '[]') as string[];
      expect(healthcheck[0]).toBe('node');
      const probe = spawnSync(process.execPath, healthcheck.slice(1), { env: { PATH: process.env.PATH ?? '', PORT: String(port) } });
      expect(probe.status, output).toBe(0);
    } finally {
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code, output).toBe(0);
    }
    expect(output).toMatch(/"msg":"closed"/);
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('deploy/nginx.conf').replace(/#.*$/gm, '');
  const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf);
  const location = /location\s+\/\s*\{([^}]*)\}/.exec(conf)?.[1] ?? '';

  it('balances over the compose nodes, sticky by client address (for long-polling)', () => {
    const compose = parseYaml(read('compose.yaml')) as { services: Record<string, unknown> };
    const servers = [...(upstream?.[2] ?? '').matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((match) => `${match[1]}:${match[2]}`);
    expect(servers).toEqual(NODES.map((node) => `${node}:3000`));
    for (const node of NODES) expect(Object.keys(compose.services)).toContain(node);
    expect(upstream?.[2]).toMatch(/^\s*hash \$remote_addr consistent;/m);
    expect(location).toMatch(new RegExp(`proxy_pass http://${upstream?.[1] ?? 'none'};`));
  });

  it('passes WebSocket upgrades over HTTP/1.1 and keeps idle connections open past the heartbeat', () => {
    expect(location).toMatch(/proxy_http_version 1\.1;/);
    expect(location).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    const connection = /proxy_set_header Connection (\S+);/.exec(location)?.[1];
    expect(
      connection === '"upgrade"' || (connection === '$connection_upgrade' && /map \$http_upgrade \$connection_upgrade \{[^}]*default upgrade;/.test(conf)),
    ).toBe(true);
    const seconds = (value: string | undefined): number => {
      const match = /^(\d+)(s|m|h)?$/.exec(value ?? '');
      return match === null ? 0 : Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
    };
    // Above pingInterval + pingTimeout (45 s): nginx's default of 60 s is too close for comfort.
    expect(seconds(/proxy_read_timeout (\S+);/.exec(location)?.[1])).toBeGreaterThan(60);
    expect(seconds(/proxy_send_timeout (\S+);/.exec(location)?.[1])).toBeGreaterThan(60);
  });
});
