export * from './schema-kit.js';
export * from './common-schemas.js';
export * from './topic-schemas.js';
export * from './sync-schemas.js';
export * from './channel-schemas.js';
export * from './presence-schemas.js';
export * from './session-schemas.js';
export * from './request-schemas.js';
