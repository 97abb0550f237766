/**
 * `npm run token -- --sub alice --realm demo --permissions service`: signs a token the server
 * accepts, with JWT_SECRET (or the first JWT_SECRETS entry, with its kid), else the secret of the
 * development-mode server last started in this folder.
 */
import { parseArgs } from 'node:util';
import type { RealtimeClaims } from '../shared/index.js';
import { signToken } from './auth/token-signer.js';
import { loadConfig, ConfigError, type ServerConfig } from './config.js';
import { loadDevSecret } from './dev-secret.js';

const USAGE = `Usage: npm run token -- --sub <user> [options]

  --sub <id>             user id (required)
  --realm <id>           granted realm; repeat or comma-separate for several ("*" for all)
  --permissions <list>   roles and capabilities, comma-separated (admin, service, client, subscribe, publish)
  --per <json>           Hivekit permissions, e.g. '{"demo":{"topic/order.*":"CR"}}'
  --dpv <json>           data-provider patterns, e.g. '{"demo":["riders/*"]}'
  --expires-in <span>    lifetime such as 30m, 1h, 7d, or seconds (default 1h)
  --kid <id>             key id (defaults to the first JWT_SECRETS key)
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseJson(flag: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return fail(`--${flag} must be JSON`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      realm: { type: 'string', multiple: true },
      permissions: { type: 'string' },
      per: { type: 'string' },
      dpv: { type: 'string' },
      'expires-in': { type: 'string' },
      kid: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.sub === undefined || values.sub === '') fail('--sub is required');

  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const kids = Object.keys(config.auth.secrets ?? {});
  const kid = values.kid ?? kids[0];
  let secret = kid === undefined ? config.auth.secret : config.auth.secrets?.[kid];
  if (kid !== undefined && secret === undefined) fail(`No secret with kid "${kid}" in JWT_SECRETS`);
  if (secret === undefined && config.auth.jwksUrl !== undefined) {
    fail('The server verifies tokens with JWT_JWKS_URL; sign tokens with your identity provider');
  }
  if (secret === undefined) {
    secret = await loadDevSecret();
    if (secret === undefined) fail('Set JWT_SECRET, or start the development server first (npm start)');
  }

  const realms = (values.realm ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  const claims: Omit<RealtimeClaims, 'sub' | 'exp' | 'iat'> = {};
  if (realms.length === 1 && realms[0] !== '*') claims.realm = realms[0];
  else if (realms.length > 0) claims.realms = realms;
  if (values.permissions !== undefined)
    claims.permissions = values.permissions
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
  const per = parseJson('per', values.per);
  if (per !== undefined) claims.per = per as RealtimeClaims['per'];
  const dpv = parseJson('dpv', values.dpv);
  if (dpv !== undefined) claims.dpv = dpv as RealtimeClaims['dpv'];

  const expiresIn = values['expires-in'] ?? '1h';
  const token = await signToken({
    sub: values.sub,
    secret,
    expiresIn: /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn,
    claims,
    ...(kid === undefined ? {} : { kid }),
    ...(config.auth.issuer === undefined ? {} : { issuer: config.auth.issuer }),
    ...(config.auth.audience === undefined ? {} : { audience: config.auth.audience }),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
