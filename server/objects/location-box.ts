import type { ObjectLocation } from '../../shared/index.js';
import type { LocationBox } from './object-store.js';

/**
 * Whether a location lies in a west-south-east-north box (edges included); a box whose west edge is
 * east of its east edge crosses the antimeridian. No location is in no box.
 *
 * @example
 * inBox({ latitude: 10, longitude: 179.5, ...rest }, { west: 179, south: 0, east: -179, north: 20 }); // true
 */
export function inBox(location: Pick<ObjectLocation, 'latitude' | 'longitude'> | null, box: LocationBox): boolean {
  if (location === null) return false;
  const { latitude, longitude } = location;
  if (latitude < box.south || latitude > box.north) return false;
  return box.west <= box.east ? longitude >= box.west && longitude <= box.east : longitude >= box.west || longitude <= box.east;
}
