/**
 * A live map of objects: each tab is a rider (the object `map-riders/<name>`) at a random place
 * in central London, moved with the buttons or arrow keys (`client.objects.set`, fire-and-forget),
 * and draws every rider inside the view from one live feed (`client.objects.subscribe` with a
 * `{ west, north, east, south }` shape). The map is an SVG in plain longitude and latitude: no
 * map tiles. `?name=alice` picks the name.
 */
import { RealtimeClient, type RealmObject } from 'realtime-platform/client';

const VIEW = { west: -0.2, north: 51.53, east: -0.04, south: 51.48 };
const WIDTH = 800;
const HEIGHT = 500;
const STEP = 0.004; // degrees per move
const name = new URLSearchParams(location.search).get('name') ?? `rider-${Math.floor(Math.random() * 1000)}`;
const myId = `map-riders/${name}`;
const $ = <T extends Element>(id: string): T => document.getElementById(id) as unknown as T;

async function devToken(sub: string): Promise<string> {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // `client` reads objects; this rider writes its own.
    body: JSON.stringify({ sub, realm: 'demo', permissions: ['client'], per: { demo: { [`object/${myId}`]: 'CRUD' } } }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (body.token === undefined) throw new Error(body.message ?? `no token (HTTP ${response.status})`);
  return body.token;
}

const x = (longitude: number): number => ((longitude - VIEW.west) / (VIEW.east - VIEW.west)) * WIDTH;
const y = (latitude: number): number => ((VIEW.north - latitude) / (VIEW.north - VIEW.south)) * HEIGHT;
const svg = (tag: string, attributes: Record<string, string | number>): SVGElement => {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
};

for (let px = 0; px <= WIDTH; px += 100) $('grid').append(svg('line', { class: 'grid', x1: px, y1: 0, x2: px, y2: HEIGHT }));
for (let py = 0; py <= HEIGHT; py += 100) $('grid').append(svg('line', { class: 'grid', x1: 0, y1: py, x2: WIDTH, y2: py }));

function draw(riders: ReadonlyMap<string, RealmObject>): void {
  const shapes: SVGElement[] = [];
  for (const rider of riders.values()) {
    if (rider.location === null) continue;
    const group = svg('g', { 'data-id': rider.id });
    const cx = x(rider.location.longitude);
    const cy = y(rider.location.latitude);
    group.append(svg('circle', { class: rider.id === myId ? 'rider me' : 'rider', cx: cx.toFixed(1), cy: cy.toFixed(1), r: 8 }));
    const label = svg('text', { x: (cx + 11).toFixed(1), y: (cy + 4).toFixed(1) });
    label.textContent = rider.label ?? rider.id;
    group.append(label);
    shapes.push(group);
  }
  $('riders').replaceChildren(...shapes);
  $('count').textContent = `${shapes.length} in view`;
}

const client = new RealtimeClient({ url: location.origin, token: await devToken(name) });
$('me').textContent = name;
let position = {
  latitude: VIEW.south + (0.25 + Math.random() * 0.5) * (VIEW.north - VIEW.south),
  longitude: VIEW.west + (0.25 + Math.random() * 0.5) * (VIEW.east - VIEW.west),
};
// `set` creates or updates, and asks for no answer (a refusal arrives on 'error').
client.objects.set(myId, { label: name, location: position, data: { kind: 'rider' } });
client.on('error', (error) => console.error(error.code, error.message));
await client.objects.subscribe({ shape: VIEW, executeImmediately: true }, ({ items }) => draw(items));

function move(east: number, north: number): void {
  position = { latitude: position.latitude + north * STEP, longitude: position.longitude + east * STEP };
  client.objects.set(myId, { location: position });
}
document.querySelectorAll<HTMLButtonElement>('[data-move]').forEach((button) => {
  const [east, north] = (button.dataset.move ?? '0,0').split(',').map(Number);
  button.addEventListener('click', () => move(east ?? 0, north ?? 0));
});
const KEYS: Record<string, [number, number]> = { ArrowUp: [0, 1], ArrowDown: [0, -1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
document.addEventListener('keydown', (event) => {
  const delta = KEYS[event.key];
  if (delta === undefined) return;
  event.preventDefault();
  move(...delta);
});
