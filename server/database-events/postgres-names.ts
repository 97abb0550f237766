/**
 * Names of a replication slot or publication the platform takes: what PostgreSQL accepts
 * unquoted (lowercase letters, digits and `_`, at most 63 characters).
 *
 * @example
 * POSTGRES_NAME_PATTERN.test('realtime_events'); // true
 */
export const POSTGRES_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
