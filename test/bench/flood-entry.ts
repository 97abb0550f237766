/**
 * The flooding client of the flood case: one connection of a plain `client` user that joins a
 * channel of its own and sends `channel:publish` at a fixed offered rate (10,000/s by default),
 * as fast as an abusive client could, counting how the server answers.
 *
 * Why hand-written packets over engine.io-client (as `light-socket.ts` does for receivers): this
 * process shares the machine's two cores with the server and the receivers it disturbs; with
 * socket.io-client a flood of 10,000 requests a second would cost this process more than the
 * server spends refusing them. Every message is one pre-built Socket.IO EVENT packet with an ack
 * id; acknowledgements are classified by looking at their text, not decoded.
 *
 * Started by the orchestrator (`flooder.ts`), never by hand: its one argument is a
 * {@link FloodLaunch} as JSON.
 */
import { Socket as EngineSocket } from 'engine.io-client';
import type { FloodCommands, FloodLaunch, FloodNotices, FloodReport } from './flood-protocol.js';
import { sendNotice, serveCommands } from './ipc-channel.js';
import { sleep } from './progress.js';

const launch = JSON.parse(process.argv[2] ?? '{}') as FloodLaunch;
/** Sending is paced in steps of this many ms. */
const TICK_MS = 5;
/** How long `stop` waits for outstanding acknowledgements, ms. */
const DRAIN_MS = 5_000;

function connect(url: string, token: string): Promise<EngineSocket> {
  return new Promise((resolve, reject) => {
    const engine = new EngineSocket(url, { path: '/socket.io/', transports: ['websocket'], upgrade: false });
    engine.once('open', () => engine.send(`0${JSON.stringify({ token })}`));
    engine.once('error', (err) => reject(err instanceof Error ? err : new Error(String(err))));
    const onHandshake = (data: unknown): void => {
      if (typeof data !== 'string') return;
      engine.off('message', onHandshake);
      if (data.startsWith('0')) resolve(engine);
      else reject(new Error(`connection refused: ${data.slice(1)}`));
    };
    engine.on('message', onHandshake);
  });
}

const engine = await connect(launch.url, launch.token);
const report: FloodReport = { sent: 0, acked: 0, accepted: 0, refused: {}, elapsedMs: 0, cpuMicros: 0 };
let joined: (() => void) | undefined;
const CODE = /"code":"([A-Z_]+)"/;

engine.on('message', (data) => {
  if (typeof data !== 'string' || data.charCodeAt(0) !== 0x33 /* '3' ACK */) return;
  if (joined !== undefined) {
    joined();
    joined = undefined;
    return;
  }
  report.acked += 1;
  if (data.includes('"ok":true')) {
    report.accepted += 1;
    return;
  }
  const code = CODE.exec(data)?.[1] ?? 'UNKNOWN';
  report.refused[code] = (report.refused[code] ?? 0) + 1;
});

await new Promise<void>((resolve) => {
  joined = resolve;
  engine.send(`20${JSON.stringify(['channel:join', { channel: launch.channel }])}`);
});

// Ack ids from 1 (0 was the join); the packet text after the id never changes.
const body = JSON.stringify([
  'channel:publish',
  { channel: launch.channel, event: 'flood', data: { text: 'x'.repeat(launch.payloadBytes) }, excludeSelf: true },
]);
let nextId = 1;
let flooding: Promise<void> | undefined;
let stopping = false;

async function flood(rate: number): Promise<void> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const sentBefore = report.sent;
  while (!stopping) {
    const due = Math.floor(((performance.now() - started) * rate) / 1000) + 1 - (report.sent - sentBefore);
    for (let i = 0; i < due; i += 1) {
      engine.send(`2${nextId}${body}`);
      nextId += 1;
      report.sent += 1;
    }
    await sleep(TICK_MS);
  }
  report.elapsedMs += performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  report.cpuMicros += cpu.user + cpu.system;
}

serveCommands<FloodCommands>({
  start: ({ rate }) => {
    stopping = false;
    flooding = flood(rate);
    return null;
  },
  stop: async () => {
    stopping = true;
    await flooding;
    const deadline = performance.now() + DRAIN_MS;
    while (report.acked < report.sent && performance.now() < deadline) await sleep(20);
    return { ...report, refused: { ...report.refused } };
  },
  exit: () => {
    engine.close();
    setImmediate(() => process.exit(0));
    return null;
  },
});
sendNotice<FloodNotices, 'ready'>('ready', { pid: process.pid });
