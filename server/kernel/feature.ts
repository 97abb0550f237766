import type { Router } from 'express';
import type { Logger } from 'pino';
import type { PlatformServices } from '../composition-root.js';
import type { ResolvedLimits } from '../config.js';
import type { RealtimeSocket } from '../socket-types.js';
import type { SocketOperations } from './socket-requests.js';

/** What a feature is built from: the services bag, the limits and the logger. */
export interface FeatureContext {
  services: PlatformServices;
  limits: ResolvedLimits;
  logger: Logger;
}

/**
 * One feature as the transports see it: its operations (served on every connection), what it
 * does when a connection opens and when it closes (its cleanup), and its REST routes (mounted
 * under `/api`). A feature is one folder; the composition root lists it once in `FEATURES`.
 *
 * @example
 * export const topicsFeature: FeatureFactory = ({ services, limits }) => ({
 *   name: 'topics',
 *   operations: topicOperations(services, limits),
 *   routes: topicRoutes(services, limits),
 * });
 */
export interface Feature {
  readonly name: string;
  readonly operations?: SocketOperations;
  readonly connect?: (socket: RealtimeSocket) => void;
  /** Called once when a connection that was set up closes; the gateway calls every feature's from one listener. */
  readonly disconnect?: (socket: RealtimeSocket) => void;
  readonly routes?: Router;
}

/** Builds a feature from the services. */
export type FeatureFactory = (context: FeatureContext) => Feature;
