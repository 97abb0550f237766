// The live map: every tab is a rider that streams its location, and sees every rider move.
// Written against the Hivekit-compatible client, as a Hivekit user would write it:
//   realm.object.set        the location stream (fire-and-forget, batched into few frames);
//   realm.object.subscribe  everything inside the visible rectangle, and everything inside an area;
//   realm.pubsub.subscribe  'connectionStatusChanged', one message per rider that goes on- or offline.
// Plain JavaScript against the bundle the server serves; no build step, no map tiles.
import { HivekitClient } from '/sdk/realtime.mjs';
import { $, appendToLog, element, listen, timeElement } from './dom.js';

const REALM = 'demo';
const ZONE = 'zones/centre';
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
const SVG = 'http://www.w3.org/2000/svg';

// The visible rectangle: central London, with pixels of equal width and height in metres.
const CENTRE = { longitude: -0.1276, latitude: 51.5072 };
const WIDTH = 800;
const HEIGHT = 500;
const LON_SPAN = 0.05;
const LAT_SPAN = LON_SPAN * Math.cos((CENTRE.latitude * Math.PI) / 180) * (HEIGHT / WIDTH);
const VIEW = {
  west: CENTRE.longitude - LON_SPAN / 2,
  east: CENTRE.longitude + LON_SPAN / 2,
  north: CENTRE.latitude + LAT_SPAN / 2,
  south: CENTRE.latitude - LAT_SPAN / 2,
};
const METRES_PER_PIXEL = (LON_SPAN * 111_320 * Math.cos((CENTRE.latitude * Math.PI) / 180)) / WIDTH;
const ZONE_RADIUS = 600;
const STEP_METRES = 120;

const x = (longitude) => ((longitude - VIEW.west) / (VIEW.east - VIEW.west)) * WIDTH;
const y = (latitude) => ((VIEW.north - latitude) / (VIEW.north - VIEW.south)) * HEIGHT;

/** Moves a location by metres east and north. */
function moved(location, east, north) {
  const latitude = location.latitude + north / 111_320;
  const longitude = location.longitude + east / (111_320 * Math.cos((location.latitude * Math.PI) / 180));
  return {
    latitude: Math.min(VIEW.north, Math.max(VIEW.south, latitude)),
    longitude: Math.min(VIEW.east, Math.max(VIEW.west, longitude)),
  };
}

function randomLocation() {
  return {
    latitude: VIEW.south + Math.random() * (VIEW.north - VIEW.south),
    longitude: VIEW.west + Math.random() * (VIEW.east - VIEW.west),
  };
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function setConnection(status) {
  $('connection').dataset.state = status === 'authenticated' ? 'connected' : status === 'disconnected' ? 'disconnected' : 'connecting';
  $('connection-text').textContent =
    { authenticated: 'Connected', connected: 'Signing in…', connecting: 'Connecting…', disconnecting: 'Leaving…' }[status] ?? 'Disconnected';
}

function showProblem(message) {
  $('problem').hidden = false;
  $('problem').textContent = message;
}

/** Asks a development server for a rider's token: it provides data for its own object. */
async function mintToken(name) {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: name, realm: REALM, permissions: ['service'], dpv: { [REALM]: [`riders/${name}`] }, expiresIn: '12h' }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `Signing in failed (HTTP ${response.status})`);
  return body.token;
}

/** The realm, created on first use (a development server's `demo` realm starts without a record). */
async function demoRealm(client) {
  try {
    return await client.realm.get(REALM);
  } catch (err) {
    if (err.code !== 404) throw err;
    await client.realm.create(REALM, 'Demo').catch((error) => {
      if (error.code !== 409) throw error;
    });
    return client.realm.get(REALM);
  }
}

function drawGrid() {
  const grid = $('map-grid');
  for (let px = 0; px <= WIDTH; px += 100) grid.append(svg('line', { class: 'map-line', x1: px, y1: 0, x2: px, y2: HEIGHT }));
  for (let py = 0; py <= HEIGHT; py += 100) grid.append(svg('line', { class: 'map-line', x1: 0, y1: py, x2: WIDTH, y2: py }));
}

function drawZone(shape) {
  const areas = $('map-areas');
  areas.replaceChildren(
    svg('circle', { class: 'map-zone', cx: x(shape.cx), cy: y(shape.cy), r: shape.r / METRES_PER_PIXEL, 'data-area': ZONE }),
    svg('text', { class: 'map-zone-label', x: x(shape.cx), y: y(shape.cy) - shape.r / METRES_PER_PIXEL - 6 }, 'zone'),
  );
}

/** Draws every object of the current set; `mine` is highlighted. */
function drawObjects(objects, mine) {
  const layer = $('map-objects');
  const nodes = [];
  let online = 0;
  for (const [id, object] of Object.entries(objects)) {
    if (object.location === null || object.location === undefined) continue;
    if (object.connectionStatus === 'connected') online += 1;
    const group = svg('g', { class: `map-object ${id === mine ? 'mine' : ''}`, 'data-id': id, 'data-status': object.connectionStatus });
    group.append(
      svg('circle', { cx: x(object.location.longitude), cy: y(object.location.latitude), r: id === mine ? 9 : 7 }),
      svg('text', { x: x(object.location.longitude) + 11, y: y(object.location.latitude) + 4 }, object.label || id),
    );
    nodes.push(group);
  }
  layer.replaceChildren(...nodes);
  $('map-summary').textContent = `${nodes.length} riders on the map, ${online} online.`;
}

async function start(name) {
  $('sign-in').hidden = true;
  $('app').hidden = false;
  const token = await mintToken(name);
  const client = new HivekitClient({ outgoingMessageBufferTime: 50 });
  client.on('connectionStatusChanged', setConnection);
  client.on('error', (message) => showProblem(String(message)));
  setConnection('connecting');
  await client.connect(location.origin);
  await client.authenticate(token);
  const realm = await demoRealm(client);

  const zoneShape = { cx: CENTRE.longitude, cy: CENTRE.latitude, r: ZONE_RADIUS };
  await realm.area.create(ZONE, { label: 'Centre', shape: zoneShape }).catch((err) => {
    if (err.code !== 409) throw err;
  });
  drawGrid();
  drawZone((await realm.area.get(ZONE)).shapeData);

  const mine = `riders/${name}`;
  let here = randomLocation();
  await realm.object.set(mine, { label: name, location: here, data: { kind: 'rider' } });

  const view = await realm.object.subscribe({ executeImmediately: true, shape: VIEW });
  view.on('update', (objects) => drawObjects(objects, mine));

  const zone = await realm.object.subscribe({ executeImmediately: true, area: ZONE });
  zone.on('update', (objects) => {
    const items = Object.keys(objects)
      .sort()
      .map((id) => {
        const item = element('li', '', objects[id].label || id);
        item.dataset.id = id;
        return item;
      });
    $('zone-list').replaceChildren(...items);
  });

  await realm.pubsub.subscribe('connectionStatusChanged', 'riders/*', (data, id) => {
    const item = element('li', '', timeElement(Date.now()), ` ${id} is ${data.connectionStatus === 'connected' ? 'online' : 'offline'}`);
    item.dataset.id = id;
    item.dataset.status = data.connectionStatus;
    appendToLog($('status-log'), item);
  });

  const step = (east, north) => {
    here = moved(here, east, north);
    realm.object.set(mine, { location: here });
  };
  const stops = [
    listen($('move-north'), 'click', () => step(0, STEP_METRES)),
    listen($('move-south'), 'click', () => step(0, -STEP_METRES)),
    listen($('move-east'), 'click', () => step(STEP_METRES, 0)),
    listen($('move-west'), 'click', () => step(-STEP_METRES, 0)),
    listen($('to-zone'), 'click', () => {
      here = moved({ latitude: CENTRE.latitude, longitude: CENTRE.longitude }, (Math.random() - 0.5) * ZONE_RADIUS, (Math.random() - 0.5) * ZONE_RADIUS);
      realm.object.set(mine, { location: here });
    }),
    listen(document, 'keydown', (event) => {
      const moves = { ArrowUp: [0, 1], ArrowDown: [0, -1], ArrowRight: [1, 0], ArrowLeft: [-1, 0] };
      const move = moves[event.key];
      if (move === undefined || event.target instanceof HTMLInputElement) return;
      event.preventDefault();
      step(move[0] * STEP_METRES, move[1] * STEP_METRES);
    }),
  ];

  let autopilot;
  listen($('autopilot'), 'change', (event) => {
    clearInterval(autopilot);
    if (event.target.checked) autopilot = setInterval(() => step((Math.random() - 0.5) * 80, (Math.random() - 0.5) * 80), 500);
  });

  const bots = new Map();
  listen($('add-bots'), 'click', () => {
    for (let i = 0; i < 5; i += 1) {
      const id = client.getId('riders/bot');
      bots.set(id, randomLocation());
      realm.object.set(id, { label: id.slice('riders/'.length, 'riders/'.length + 9), location: bots.get(id), data: { kind: 'bot' } });
    }
  });
  setInterval(() => {
    for (const [id, location] of bots) {
      const next = moved(location, (Math.random() - 0.5) * 150, (Math.random() - 0.5) * 150);
      bots.set(id, next);
      realm.object.set(id, { location: next });
    }
  }, 1000);

  // The controls stay disabled until every subscription is in place and they are wired, so
  // nothing a rider does before that is lost.
  for (const id of ['move-north', 'move-south', 'move-east', 'move-west', 'to-zone', 'autopilot', 'add-bots']) $(id).disabled = false;

  window.addEventListener('pagehide', () => {
    for (const stop of stops) stop();
    for (const id of bots.keys()) realm.object.delete(id).catch(() => {});
    void client.disconnect();
  });
}

listen($('sign-in-form'), 'submit', async (event) => {
  event.preventDefault();
  const name = $('sign-in-name').value.trim();
  $('sign-in-error').textContent = '';
  if (!NAME_PATTERN.test(name)) {
    $('sign-in-error').textContent = 'Enter a name of 1 to 32 letters, digits, _ . or -.';
    return;
  }
  try {
    await start(name);
  } catch (err) {
    showProblem(err instanceof Error ? err.message : String(err.message ?? err));
  }
});
$('sign-in-name').focus();
