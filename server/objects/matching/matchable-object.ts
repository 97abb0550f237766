import type { ConnectionStatus } from '../../../shared/index.js';

/**
 * What the matcher needs of an object: its id, label, connection status, position (or `null`) and
 * data. A `RealmObject` is one.
 *
 * @example
 * const scooter: MatchableObject = { id: 'scooter/1', label: 'Red', connectionStatus: 'connected',
 *   location: { longitude: 3.3759, latitude: 6.51309 }, data: { type: 'scooter', charge: 0.8 } };
 */
export interface MatchableObject {
  id: string;
  label: string;
  connectionStatus: ConnectionStatus;
  location: { longitude: number; latitude: number } | null;
  data: Record<string, unknown>;
}
