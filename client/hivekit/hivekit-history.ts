import type { HistoryEntry } from '../../shared/index.js';
import type { HivekitContext } from './hivekit-context.js';

/**
 * `realm.history`: an object's past locations and data.
 *
 * @example
 * const entries = await realm.history.get('riders/7', { startTime: new Date(Date.now() - 3_600_000), endTime: new Date() });
 */
export class HivekitHistory {
  constructor(
    private readonly realmId: string,
    private readonly context: HivekitContext,
  ) {}

  /**
   * The object's writes between `startTime` and `endTime`, oldest first; each entry holds the
   * location and the whole (merged) data after that write. Throws at once (not through the
   * Promise) unless both are valid `Date`s, as Hivekit does.
   */
  get(objectId: string, options: { startTime: Date; endTime: Date }): Promise<HistoryEntry[]> {
    const { startTime, endTime } = (options ?? {}) as { startTime?: unknown; endTime?: unknown };
    if (!isValidDate(startTime)) throw new TypeError('startTime must be a valid Date');
    if (!isValidDate(endTime)) throw new TypeError('endTime must be a valid Date');
    return this.context.call('history.get', [objectId, options], () =>
      this.context.backend().objects(this.realmId).history(objectId, { start: startTime, end: endTime }),
    );
  }
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
