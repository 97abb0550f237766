import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/index.js';

describe('database events configuration', () => {
  it('runs no source unless a URL is set', () => {
    expect(loadConfig({}).databaseEvents).toEqual({});
  });

  it('reads the PostgreSQL and MongoDB sources and the mapping limits from the environment', () => {
    const config = loadConfig({
      DATABASE_EVENTS_POSTGRES_URL: 'postgres://realtime@db/app',
      DATABASE_EVENTS_POSTGRES_SLOT: 'rt_slot',
      DATABASE_EVENTS_POSTGRES_TABLES: 'sessions, public.orders',
      DATABASE_EVENTS_MONGODB_URL: 'mongodb://db:27017',
      DATABASE_EVENTS_MONGODB_MODE: 'outbox',
      DATABASE_EVENTS_MAX_MAPPINGS: '50',
    });
    expect(config.databaseEvents).toEqual({
      postgres: { url: 'postgres://realtime@db/app', slot: 'rt_slot', tables: ['sessions', 'public.orders'] },
      mongodb: { url: 'mongodb://db:27017', dbName: 'app', mode: 'outbox', collection: 'realtime_outbox' },
      limits: { maxMappings: 50 },
    });
  });

  it('refuses a bad URL or slot name, naming the variable', () => {
    expect(() => loadConfig({ DATABASE_EVENTS_POSTGRES_URL: 'mysql://db' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_EVENTS_POSTGRES_SLOT: 'Bad-Slot' })).toThrow(/DATABASE_EVENTS_POSTGRES_SLOT/);
    expect(() => loadConfig({ DATABASE_EVENTS_MONGODB_MODE: 'tail' })).toThrow(/DATABASE_EVENTS_MONGODB_MODE/);
  });
});
