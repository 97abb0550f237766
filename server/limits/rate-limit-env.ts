import { z } from 'zod';
import type { Role } from '../../shared/index.js';
import type { ActionRates, RateLimitOptions } from './rate-limit-options.js';

const count = () => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 (no limit) or more').optional();

const ROLE_NAMES = ['admin', 'service', 'client'] as const;

/**
 * The `RATE_LIMIT*` environment variables, as a zod shape that `loadConfig` merges into its own.
 * Rates are requests per second, `0` turns one off.
 *
 * @example
 * const envSchema = z.object({ PORT: ..., ...RATE_LIMIT_ENV_SHAPE });
 */
export const RATE_LIMIT_ENV_SHAPE = {
  RATE_LIMITS_ENABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  RATE_LIMIT_PUBLISHES_PER_CONNECTION: count(),
  RATE_LIMIT_PUBLISHES_PER_USER: count(),
  RATE_LIMIT_PUBLISHES_PER_REALM: count(),
  RATE_LIMIT_MESSAGES_PER_CONNECTION: count(),
  RATE_LIMIT_MESSAGES_PER_USER: count(),
  RATE_LIMIT_MESSAGES_PER_REALM: count(),
  RATE_LIMIT_SUBSCRIBES_PER_CONNECTION: count(),
  RATE_LIMIT_SUBSCRIBES_PER_USER: count(),
  RATE_LIMIT_SUBSCRIBES_PER_REALM: count(),
  RATE_LIMIT_WRITES_PER_CONNECTION: count(),
  RATE_LIMIT_WRITES_PER_USER: count(),
  RATE_LIMIT_WRITES_PER_REALM: count(),
  RATE_LIMIT_PRESENCE_PER_CONNECTION: count(),
  RATE_LIMIT_PRESENCE_PER_USER: count(),
  RATE_LIMIT_PRESENCE_PER_REALM: count(),
  RATE_LIMIT_LOCATIONS_PER_CONNECTION: count(),
  RATE_LIMIT_LOCATIONS_PER_USER: count(),
  RATE_LIMIT_LOCATIONS_PER_REALM: count(),
  RATE_LIMIT_CONNECTIONS_PER_USER: count(),
  /** Comma-separated roles, or `none`. */
  RATE_LIMIT_EXEMPT_ROLES: z
    .string()
    .transform((text) =>
      text.trim() === 'none'
        ? []
        : text
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean),
    )
    .pipe(z.array(z.enum(ROLE_NAMES, { error: 'must list roles (admin, service, client) or be none' })))
    .optional(),
};

/**
 * The parsed `RATE_LIMIT*` variables.
 *
 * @example
 * const env: Partial<RateLimitEnv> = { RATE_LIMITS_ENABLED: 'false' };
 */
export type RateLimitEnv = { [K in keyof typeof RATE_LIMIT_ENV_SHAPE]: z.output<(typeof RATE_LIMIT_ENV_SHAPE)[K]> };

/**
 * The rate-limit options the variables set (what they leave out keeps its default).
 *
 * @example
 * rateLimitOptionsFromEnv({ RATE_LIMIT_PUBLISHES_PER_CONNECTION: 20 }); // { publishes: { perConnection: 20 } }
 */
export function rateLimitOptionsFromEnv(env: Partial<RateLimitEnv>): RateLimitOptions {
  const options: RateLimitOptions = {};
  if (env.RATE_LIMITS_ENABLED !== undefined) options.enabled = env.RATE_LIMITS_ENABLED === 'true';
  const publishes = rates(env.RATE_LIMIT_PUBLISHES_PER_CONNECTION, env.RATE_LIMIT_PUBLISHES_PER_USER, env.RATE_LIMIT_PUBLISHES_PER_REALM);
  if (publishes !== undefined) options.publishes = publishes;
  const messages = rates(env.RATE_LIMIT_MESSAGES_PER_CONNECTION, env.RATE_LIMIT_MESSAGES_PER_USER, env.RATE_LIMIT_MESSAGES_PER_REALM);
  if (messages !== undefined) options.messages = messages;
  const subscribes = rates(env.RATE_LIMIT_SUBSCRIBES_PER_CONNECTION, env.RATE_LIMIT_SUBSCRIBES_PER_USER, env.RATE_LIMIT_SUBSCRIBES_PER_REALM);
  if (subscribes !== undefined) options.subscribes = subscribes;
  const writes = rates(env.RATE_LIMIT_WRITES_PER_CONNECTION, env.RATE_LIMIT_WRITES_PER_USER, env.RATE_LIMIT_WRITES_PER_REALM);
  if (writes !== undefined) options.writes = writes;
  const presence = rates(env.RATE_LIMIT_PRESENCE_PER_CONNECTION, env.RATE_LIMIT_PRESENCE_PER_USER, env.RATE_LIMIT_PRESENCE_PER_REALM);
  if (presence !== undefined) options.presence = presence;
  const locations = rates(env.RATE_LIMIT_LOCATIONS_PER_CONNECTION, env.RATE_LIMIT_LOCATIONS_PER_USER, env.RATE_LIMIT_LOCATIONS_PER_REALM);
  if (locations !== undefined) options.locations = locations;
  if (env.RATE_LIMIT_CONNECTIONS_PER_USER !== undefined) options.connectionsPerUser = env.RATE_LIMIT_CONNECTIONS_PER_USER;
  if (env.RATE_LIMIT_EXEMPT_ROLES !== undefined) options.exemptRoles = [...env.RATE_LIMIT_EXEMPT_ROLES] as Role[];
  return options;
}

function rates(perConnection?: number, perUser?: number, perRealm?: number): ActionRates | undefined {
  const result: ActionRates = {};
  if (perConnection !== undefined) result.perConnection = perConnection;
  if (perUser !== undefined) result.perUser = perUser;
  if (perRealm !== undefined) result.perRealm = perRealm;
  return Object.keys(result).length === 0 ? undefined : result;
}
