/**
 * A backend publisher: publishes an event to the topic `demo.feed` every second over REST
 * (`RealtimeRestClient`), the way a backend service would. The demo page's live feed and the
 * React example show them.
 *
 *   npm start                          # the realtime server (development mode)
 *   npm run example:publisher          # = tsx examples/publisher/main.ts
 *
 * Environment: REALTIME_URL (default http://localhost:3000); TOKEN (a token allowed to publish,
 * e.g. from `npm run token -- --sub backend --realm demo --permissions service`; without it the
 * script asks a development server for one); COUNT (stop after that many events; default: run
 * until Ctrl-C); INTERVAL_MS (default 1000).
 */
import { RealtimeRestClient } from 'realtime-platform/client';

const url = process.env.REALTIME_URL ?? 'http://localhost:3000';
const count = process.env.COUNT === undefined ? Infinity : Number(process.env.COUNT);
const intervalMs = Number(process.env.INTERVAL_MS ?? 1000);
const LEVELS = ['info', 'warn', 'error'] as const;

/** A token from the environment, or one a development server signs for a `service` user. */
async function serviceToken(): Promise<string> {
  if (process.env.TOKEN !== undefined) return process.env.TOKEN;
  const { token } = await new RealtimeRestClient({ url, getToken: () => '' }).tokens.devToken({ sub: 'publisher', realm: 'demo', permissions: ['service'] });
  return token;
}

const rest = new RealtimeRestClient({ url, token: await serviceToken() });
const demo = rest.realm('demo');
let stopped = false;
process.on('SIGINT', () => (stopped = true));

for (let n = 1; n <= count && !stopped; n += 1) {
  const level = LEVELS[(n - 1) % LEVELS.length] ?? 'info';
  const event = await demo.publish('demo.feed', { level, text: `Tick ${n} from the publisher`, author: 'publisher', n }, { type: 'publisher.tick' });
  process.stdout.write(`published ${event.id} ${level} tick ${n}\n`);
  if (n < count) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
