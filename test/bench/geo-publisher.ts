import type { ChildProcess } from 'node:child_process';
import { spawnNodeChild, stopChild } from './child-processes.js';
import type { GeoPublisherCommands, GeoPublisherLaunch, GeoPublisherNotices, GeoRunArgs, GeoRunReport } from './geo-publisher-protocol.js';
import { IpcClient } from './ipc-channel.js';

/**
 * The geo publisher of case 10, in a process of its own (`geo-publisher-entry.ts`): it writes the
 * city's objects once, then moves them at a given rate with a bounded backlog.
 *
 * @example
 * const publisher = await GeoPublisher.launch({ url, token, objects: 10_000, seed: 13, stepDegrees: 0.00015 });
 * await publisher.seed();
 * const report = await publisher.run({ rate: 5000, count: 25_000, maxBacklog: 1250, windowFromMs: 1000, windowToMs: 5000 });
 * await publisher.close();
 */
export class GeoPublisher {
  private constructor(
    private readonly child: ChildProcess,
    private readonly ipc: IpcClient<GeoPublisherCommands, GeoPublisherNotices>,
  ) {}

  /** Starts the process; resolves once it is connected. */
  static async launch(options: GeoPublisherLaunch): Promise<GeoPublisher> {
    const child = spawnNodeChild({ entry: 'geo-publisher-entry.ts', args: [JSON.stringify(options)], label: 'geo publisher' });
    const ipc = new IpcClient<GeoPublisherCommands, GeoPublisherNotices>(child, 'geo publisher');
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`geo publisher exited (${String(code)}) before it was ready`))),
    );
    await Promise.race([ipc.nextNotice('ready', 60_000), exited]);
    return new GeoPublisher(child, ipc);
  }

  /** Writes every object once at its starting position; answers how many writes were sent. */
  async seed(): Promise<number> {
    return (await this.ipc.request('seed', {}, 60_000)).sent;
  }

  /**
   * Offers `count` moves at `rate` per second, dropping those that fall due while more than
   * `maxBacklog` are not known to be applied; resolves when the last one fell due.
   */
  run(args: GeoRunArgs): Promise<GeoRunReport> {
    return this.ipc.request('run', args, Math.ceil((args.count / args.rate) * 1000) + 60_000);
  }

  async close(): Promise<void> {
    try {
      await this.ipc.request('exit', {}, 5_000);
    } catch {
      // Already gone: stopChild below makes sure.
    }
    await stopChild(this.child, 5_000);
  }
}
