export * from './error-codes.js';
export * from './errors.js';
export * from './realtime-event.js';
export * from './filter.js';
export * from './topic.js';
export * from './claims.js';
export * from './principal.js';
export * from './protocol.js';
