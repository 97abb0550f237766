import type { LocationInput, ObjectLocation } from '../../shared/index.js';

/**
 * A complete location from what a caller wrote: numbers it left out are `0`, `coordinateSystem`
 * is `''`, and `time` is the write time unless given (Unix ms become ISO 8601).
 *
 * @example
 * toObjectLocation({ latitude: 6.51309, longitude: 3.3759 }, 1764655200000).time; // '2025-12-02T06:00:00.000Z'
 */
export function toObjectLocation(input: LocationInput, writtenAt: number): ObjectLocation {
  const { time } = input;
  return {
    latitude: input.latitude,
    longitude: input.longitude,
    altitude: input.altitude ?? 0,
    accuracy: input.accuracy ?? 0,
    speed: input.speed ?? 0,
    heading: input.heading ?? 0,
    altitudeAccuracy: input.altitudeAccuracy ?? 0,
    time: new Date(time === undefined ? writtenAt : typeof time === 'number' ? time : Date.parse(time)).toISOString(),
    coordinateSystem: input.coordinateSystem ?? '',
  };
}
