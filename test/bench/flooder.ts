import type { ChildProcess } from 'node:child_process';
import { spawnNodeChild, stopChild } from './child-processes.js';
import type { FloodCommands, FloodLaunch, FloodNotices, FloodReport } from './flood-protocol.js';
import { IpcClient } from './ipc-channel.js';

/**
 * The flooding client of the flood case, in a process of its own (`flood-entry.ts`) so that its
 * sending loop neither delays the publisher's timestamps nor counts as server time.
 *
 * @example
 * const flooder = await Flooder.start({ url, token, channel: 'flood-room', payloadBytes: 100 });
 * await flooder.start(10_000);
 * const report = await flooder.stop();
 * await flooder.close();
 */
export class Flooder {
  private constructor(
    private readonly child: ChildProcess,
    private readonly ipc: IpcClient<FloodCommands, FloodNotices>,
  ) {}

  /** Starts the process; resolves once it is connected and in its channel. */
  static async launch(options: FloodLaunch): Promise<Flooder> {
    const child = spawnNodeChild({ entry: 'flood-entry.ts', args: [JSON.stringify(options)], label: 'flooder' });
    const ipc = new IpcClient<FloodCommands, FloodNotices>(child, 'flooder');
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`flooder exited (${String(code)}) before it was ready`))));
    await Promise.race([ipc.nextNotice('ready', 60_000), exited]);
    return new Flooder(child, ipc);
  }

  /** Starts flooding at `rate` messages/s. */
  async start(rate: number): Promise<void> {
    await this.ipc.request('start', { rate });
  }

  /** Stops flooding and reports what was sent and how the server answered. */
  stop(): Promise<FloodReport> {
    return this.ipc.request('stop', {}, 30_000);
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
