/**
 * The publisher of case 10: one `service` connection that moves the city's objects with
 * fire-and-forget `object:set` (no acknowledgement, as a location stream is sent, but for one in
 * 50 that tells how far the server has got), each move
 * carrying its publish time in `data.t` on the machine-wide monotonic clock, so the receivers
 * time publish-to-receive from the `feed:data` frames alone.
 *
 * Why a process of its own, with `LightSocket` (hand-written Socket.IO packets over
 * engine.io-client): 10,000 messages a second would cost socket.io-client in the orchestrator more
 * CPU than the server spends on them on this 2-core machine, and would delay the orchestrator's
 * own timers.
 *
 * Started by the orchestrator (`geo-publisher.ts`), never by hand: its one argument is a
 * {@link GeoPublisherLaunch} as JSON.
 */
import type { ObjectWriteRequest } from '../../shared/index.js';
import { monotonicMicros } from './bench-event.js';
import { seededRandom } from './bench-socket.js';
import type { GeoPublisherCommands, GeoPublisherLaunch, GeoPublisherNotices, GeoRunArgs, GeoRunReport } from './geo-publisher-protocol.js';
import { randomCityPoint, stepWithinCity, type GeoPoint } from './geo-world.js';
import { sendNotice, serveCommands } from './ipc-channel.js';
import { LightSocket } from './light-socket.js';
import { sleep } from './progress.js';

const launch = JSON.parse(process.argv[2] ?? '{}') as GeoPublisherLaunch;
/** Sending is paced in steps of this many ms. */
const TICK_MS = 5;
/** Seeding yields to the event loop after this many writes. */
const SEED_CHUNK = 500;
/** Every this-many-th move asks for an acknowledgement: how far the server has got. */
const ACK_EVERY = 50;

const socket = await LightSocket.connect(launch.url, launch.token);
let refused = 0;
let lastRefusal: string | undefined;
socket.onEvent = (frame) => {
  if (!frame.startsWith('2["protocol:error"')) return;
  refused += 1;
  lastRefusal = frame.slice(0, 300);
};

const random = seededRandom(launch.seed);
const positions: GeoPoint[] = Array.from({ length: launch.objects }, () => randomCityPoint(random));
let nextObject = 0;

function request(index: number): ObjectWriteRequest {
  const { longitude, latitude } = positions[index] as GeoPoint;
  return { id: `rider/${index}`, location: { latitude, longitude }, data: { t: monotonicMicros() } };
}

function write(index: number): void {
  socket.emit('object:set', request(index));
}

async function seed(): Promise<{ sent: number }> {
  for (let index = 0; index < positions.length; index += 1) {
    write(index);
    if ((index + 1) % SEED_CHUNK === 0) await sleep(0);
  }
  return { sent: positions.length };
}

/**
 * Offers `count` moves at `rate`/s. Open loop, but with a bounded backlog: a move due while more
 * than `maxBacklog` sent ones are not known to be applied (every ACK_EVERY-th asks for an
 * acknowledgement; the server answers in order) is dropped, not queued, so a server that cannot keep up shows as a lower sent
 * rate instead of an ever longer queue in front of it (which would also hold back the
 * connection's heartbeat answers until the server dropped it). The acknowledgements also give how
 * many moves the server applied in the measured window, on this process's clock (a busy server
 * answers the orchestrator's stats requests late, which would skew a window timed by them).
 */
async function run({ rate, count, maxBacklog, windowFromMs, windowToMs }: GeoRunArgs): Promise<GeoRunReport> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let offered = 0;
  let sent = 0;
  let dropped = 0;
  let applied = 0;
  let windowStart: { at: number; applied: number } | undefined;
  let windowEnd: { at: number; applied: number } | undefined;
  const markWindow = (): void => {
    const now = performance.now();
    if (windowStart === undefined && now - started >= windowFromMs) windowStart = { at: now, applied };
    if (windowEnd === undefined && now - started >= windowToMs) windowEnd = { at: now, applied };
  };
  while (offered < count) {
    markWindow();
    const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    for (; offered < due; offered += 1) {
      if (sent - applied > maxBacklog) {
        dropped += 1;
        continue;
      }
      const index = nextObject;
      nextObject = (nextObject + 1) % positions.length;
      positions[index] = stepWithinCity(positions[index] as GeoPoint, launch.stepDegrees, random);
      sent += 1;
      if (sent % ACK_EVERY === 0) {
        const at = sent;
        void socket.request('object:set', request(index)).then(() => {
          applied = Math.max(applied, at);
        });
      } else {
        write(index);
      }
    }
    await sleep(TICK_MS);
  }
  const ended = performance.now();
  windowStart ??= { at: ended, applied };
  windowEnd ??= { at: ended, applied };
  const cpu = process.cpuUsage(cpuBefore);
  return {
    sent,
    dropped,
    appliedInWindow: windowEnd.applied - windowStart.applied,
    windowMs: windowEnd.at - windowStart.at,
    elapsedMs: ended - started,
    cpuMicros: cpu.user + cpu.system,
    refused,
    ...(lastRefusal === undefined ? {} : { lastRefusal }),
  };
}

serveCommands<GeoPublisherCommands>({
  seed: () => seed(),
  run: (args) => run(args),
  exit: () => {
    socket.close();
    setImmediate(() => process.exit(0));
    return null;
  },
});
sendNotice<GeoPublisherNotices, 'ready'>('ready', { pid: process.pid });
