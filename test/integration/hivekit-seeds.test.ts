/*
 * The code of the three Hivekit documentation pages in /work/shared/reference (000: the JS client
 * page, 001/002: the Presence guide; 001 is a partial copy of 002), run as written against this
 * server through HivekitClient. Each snippet is kept as the page's text and run as a plain
 * JavaScript async function (a sloppy-mode function body, as a page's script would be), so not a
 * character of it is retyped for TypeScript.
 *
 * Substituted, as the pages leave them open: the import line (`import HivekitClient from
 * "@hivekit/client-js"` → our dialect, handed to the snippet as `HivekitClient`), the server URL
 * (`'wss://'`, `'wss://hivekit.io/api/v1/ws'` → this test server, keeping the `/api/v1/ws` path),
 * the token (`'my_api_token'` → a token signed with the page's own claims), and the realm ids
 * (`'realmId'`, `realmId`, `realmA`, `realmInstanceA` → a realm of this test).
 *
 * Adapted, and why:
 * - 000: `location: {latitude:12.132/*..*\/}` elides the rest of the location; a location needs a
 *   longitude here (and in Hivekit), so the elision is filled: `{latitude:12.132, longitude:3.3759/*..*\/}`.
 * - 002: `realm = await client.realm.get(realmId);` assigns a variable the page never declares;
 *   the snippet gets `realm` as a parameter so that the line runs unchanged without making a global.
 * - 002's token: the page's claims plus `realm: 'london'` and `permissions: ['client']` (see johnsToken).
 * - The pages' pub/sub callbacks only hold comments; the test makes the same two calls again with
 *   recording callbacks to show what they receive.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import HivekitClient from '../../client/hivekit/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { eventually } from '../support/client-managers.js';

/** Seed 000, the client page's example (the import line substituted, see above). */
const SEED_000 = String.raw`
// Client handles connectivity
const client = new HivekitClient();
await client.connect('wss://');
await client.authenticate('my_api_token');

// to use objects, areas, subscriptions etc, get a
// a realm object from the client
const realm = await client.realm.get('realmId');
await realm.object.create('objId', {label: 'delivery rider', location: {latitude:12.132, longitude:3.3759/*..*/}})
`;

/** Seed 000, the page's "Defaults are:" block of `new HivekitClient(options)`, as the options of a client (`return new HivekitClient({` ... `})` around it). */
const SEED_000_OPTIONS = String.raw`
return new HivekitClient({
/* The time in milliseconds messages are buffered for before they are sent out.

Hivekit's protocol can combine multiple actions, such as creating or updating objects,
into a single message that's sent to the server. So even if you call
e.g. realm.object.set(data), for multiple objects in a loop, only a single message gets
sent out. The default behavior is to send the message immediately after the current
JavaScript execution ends (outgoingMessageBufferTime: 0), but you can increase this
time to send fewer but bigger messages.*/
outgoingMessageBufferTime: 0,

/* If true, the client logs every incoming or outgoing message to the console */
logMessages: false,

/* If true, the client logs errors to the console */
logErrors: true,

/* The time in milliseconds between heartbeat messages. These are short messages
that are continuously passed between client and server to ensure that firewalls,
load -balancers and other network hops keep the connection open, to ensure that the server
is still responsive and to measure roundtrip latency.*/
heartbeatInterval: 5000,

/* Time in milliseconds between reconnection attempts by the client,
should the connection be lost. The first reconnection attempt happens
immediately upon connection loss.*/
reconnectInterval: 1000,

/* If a WebSocket connection is lost, the client will try to recreate it. It will keep
doing so every (reconnectInterval) until successful. In certain scenarios however, it might
be preferable to give up after a number of unsucessful attempts. An example of this would be a
user turning on airplane mode for a long flight and your app draining the user's battery
with endless reconnect attempts.*/
maxReconnectAttempts: Infinity
})
`;

/** Seed 002 (001), "Here's what that looks like on the client side". */
const SEED_002_CLIENT = String.raw`
const client = new HivekitClient();
client.on('connectionStatusChanged', () => {
console.log('client connection status is: ' + client.connectionStatus);
});
await client.connect('wss://hivekit.io/api/v1/ws');
await client.authenticate('my_api_token');

// get a realm
realm = await client.realm.get(realmId);

// get the object for our delivery rider
const johnDoe = await realm.object.get('deliveryRides/johndoe-123');
johnDoe.connectionStatus // either 'connected' or 'disconnected'
return { client, johnDoe, realm };
`;

/** Seed 002 (001), "Subscribing to objects". */
const SEED_002_SUBSCRIBE = String.raw`
// subscribe to updates for all objects within a realm
const subscription = await realmA.object.subscribe();
subscription.on('update', objects => {
for( let id in objects ) {
console.log( id, objects[id].connectionStatus);
}
})
`;

/** Seed 002 (001), "Subscribing to the connectionStatusChanged event". */
const SEED_002_PUBSUB = String.raw`
await realmInstanceA.pubsub.subscribe('connectionStatusChanged', (data, id) => {
// data = {connectionStatus: 'connected'}
// idPattern is the id of the object that changed
})

await realmInstanceA.pubsub.subscribe('connectionStatusChanged', 'deliveryRiders/*', (data, id) => {
// only receive notifications of a deliveryRider changes its connection status
})
`;

type AsyncFunctionConstructor = new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as AsyncFunctionConstructor;

/**
 * Runs a page's snippet with the values it leaves open, after the substitutions named at the top
 * (each `from → to` replaces one literal the page leaves open).
 */
function runSeed(code: string, scope: Record<string, unknown>, substitutions: [string, string][] = []): Promise<unknown> {
  let source = code;
  for (const [from, to] of substitutions) {
    if (!source.includes(from)) throw new Error(`the snippet has no ${from}`);
    source = source.split(from).join(to);
  }
  return new AsyncFunction(...Object.keys(scope), source)(...Object.values(scope));
}

let t: TestServer;
let wsUrl: string;
const clients: HivekitClient[] = [];

beforeAll(async () => {
  t = await startTestServer();
  wsUrl = `${t.url.replace(/^http/, 'ws')}/api/v1/ws`;
  const admin = t.client({ token: await t.token({ sub: 'setup', realms: ['seeds', 'london'], permissions: ['service'] }) });
  await admin.realms.create('seeds', { label: 'Seed 000' });
  await admin.realms.create('london', { label: 'London' });
  await admin.realm('london').objects.create('deliveryRides/johndoe-123', { label: 'John Doe' });
  await admin.realm('london').objects.create('deliveryRiders/ada', { label: 'Ada' });
  admin.destroy();
});

afterEach(async () => {
  for (const client of clients.splice(0)) if (client.connectionStatus !== 'disconnected') await client.disconnect();
  vi.restoreAllMocks();
});

afterAll(() => t.close());

/**
 * The page's JWT payload (seed 002), signed by this server's secret, plus `realm: 'london'` and
 * `permissions: ['client']`: on this server a token with `per` has no role unless it names one
 * (and roles apply in the realms `realm`/`realms` name, not in those only `per` names), and the page's
 * grants give John no `R` on his own object (`R` is on `deliveryRiders/*`, `CU` on
 * `deliveryRides/johndoe-123`: the page spells the two prefixes differently), which its
 * `realm.object.get('deliveryRides/johndoe-123')` needs. The `client` role reads every object.
 */
function johnsToken(): Promise<string> {
  return t.token({
    realm: 'london',
    permissions: ['client'],
    sub: 'johndoe-123',
    per: { london: { 'deliveryRiders/*': 'R', 'deliveryRides/johndoe-123': 'CU' } },
    dpv: { london: ['deliveryRides/johndoe-123'] },
  } as never);
}

/** HivekitClient, remembering each instance so that the test can disconnect it. */
class TrackedHivekitClient extends HivekitClient {
  constructor(...args: ConstructorParameters<typeof HivekitClient>) {
    super(...args);
    clients.push(this);
  }
}

describe('the Hivekit documentation pages, run as written', () => {
  it('000: the client page: options, connect, authenticate, realm.get, object.create', async () => {
    const token = await t.token({ sub: 'seed-000', realm: 'seeds', per: { seeds: { '*': 'CRUD' } } } as never);
    await runSeed(SEED_000, { HivekitClient: TrackedHivekitClient }, [
      ["'wss://'", JSON.stringify(wsUrl)],
      ["'my_api_token'", JSON.stringify(token)],
      ["'realmId'", "'seeds'"],
    ]);
    const realm = await (clients[0] as HivekitClient).realm.get('seeds');
    expect(await realm.object.get('objId')).toMatchObject({ id: 'objId', label: 'delivery rider', location: { latitude: 12.132, longitude: 3.3759 } });

    const client = (await runSeed(SEED_000_OPTIONS, { HivekitClient })) as HivekitClient;
    expect(client.options).toEqual({
      outgoingMessageBufferTime: 0,
      logMessages: false,
      logErrors: true,
      heartbeatInterval: 5000,
      reconnectInterval: 1000,
      maxReconnectAttempts: Infinity,
    });
    expect(client.connectionStatus).toBe(client.constants.CONNECTION_STATUS.DISCONNECTED);
  });

  it('002 (and 001): presence through connectionStatus, an object subscription, connectionStatusChanged', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void logged.push(values.map(String).join(' ')));
    const { johnDoe, realm } = (await runSeed(SEED_002_CLIENT, { HivekitClient: TrackedHivekitClient, realm: undefined, realmId: 'london' }, [
      ["'wss://hivekit.io/api/v1/ws'", JSON.stringify(wsUrl)],
      ["'my_api_token'", JSON.stringify(await johnsToken())],
    ])) as { johnDoe: unknown; realm: unknown };
    expect(logged).toEqual(['client connection status is: connecting', 'client connection status is: connected', 'client connection status is: authenticated']);
    // John's own token declares him the data provider of his object: it is online while he is.
    expect(johnDoe).toMatchObject({ id: 'deliveryRides/johndoe-123', connectionStatus: 'connected' });

    logged.length = 0;
    await runSeed(SEED_002_SUBSCRIBE, { realmA: realm });
    await runSeed(SEED_002_PUBSUB, { realmInstanceA: realm });
    await eventually(() => logged.includes('deliveryRides/johndoe-123 connected'), 5000, 'the subscription to log john');
    expect(logged).toContain('deliveryRiders/ada disconnected');

    const statuses: [string, unknown][] = [];
    const riders: string[] = [];
    await runSeed(SEED_002_PUBSUB.replace('// data =', 'statuses.push([id, data]) // data =').replace('// only receive', 'riders.push(id) // only receive'), {
      realmInstanceA: realm,
      statuses,
      riders,
    });
    const ada = new TrackedHivekitClient({ logErrors: false });
    await ada.connect(wsUrl);
    await ada.authenticate(await t.token({ sub: 'ada', realm: 'london', dpv: { london: ['deliveryRiders/ada'] } } as never));
    await eventually(() => riders.includes('deliveryRiders/ada'), 5000, 'ada online, through the deliveryRiders/* subscription');
    expect(statuses).toContainEqual(['deliveryRiders/ada', { connectionStatus: 'connected' }]);
    await eventually(() => logged.includes('deliveryRiders/ada connected'), 5000, 'the object subscription to see ada online');
  });
});
