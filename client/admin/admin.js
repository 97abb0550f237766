// The admin console: one page over the platform's own REST API and SDK, signed in with an admin
// token. Overview (metrics from /metrics, realms), connections and users, the topic registry
// with live rates, channels and their members, a document browser, webhook endpoints and dead
// letters (redeliver), database mappings with their counters and sources, and a live event tail that can replay an event. Plain JavaScript modules
// against the ES module bundle the server serves; no build step.
import { RealtimeClient, decodeToken } from '/sdk/realtime.mjs';

const SESSION_KEY = 'realtime-admin-session';
const SAMPLE_MS = 2000;
const CHART_POINTS = 60;
const MAX_TAIL = 200;

const $ = (id) => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing`);
  return element;
};

/** A new element with children (strings become text, never HTML). */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (name === 'onclick') node.addEventListener('click', value);
    else if (name.startsWith('data-')) node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children);
  return node;
}

/** The signed-in session: token, realm, the SDK client of the event tail, timers. */
let session;

function problem(err) {
  $('problem').textContent = err === undefined ? '' : String(err.message ?? err);
}

/** A REST call with the session's token; throws the typed error body's message. */
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${session.token}`, 'x-realm': session.realm, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text === '' ? undefined : response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw Object.assign(new Error(parsed?.message ?? `HTTP ${response.status}`), { code: parsed?.code, status: response.status });
  return parsed;
}

// ---- Overview: metrics and realms ----------------------------------------------------------

/** Sums every sample of a metric in a Prometheus text exposition (all label sets). */
function total(text, name) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** p99 from a Prometheus histogram's cumulative buckets, in ms (upper bound of the bucket). */
function p99(text, name) {
  const buckets = [];
  for (const line of text.split('\n')) {
    const match = line.match(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`));
    if (match) buckets.push([match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2])]);
  }
  const count = buckets.at(-1)?.[1] ?? 0;
  if (count === 0) return undefined;
  const bucket = buckets.find(([, cumulative]) => cumulative >= count * 0.99);
  return bucket === undefined || bucket[0] === Infinity ? undefined : bucket[0] * 1000;
}

function drawChart(points) {
  const chart = $('chart');
  const max = Math.max(1, ...points.flatMap((point) => [point.in, point.out]));
  // The newest sample at the right edge, older ones leftwards.
  const offset = CHART_POINTS - points.length;
  const line = (key) => points.map((point, index) => `${((offset + index) / (CHART_POINTS - 1)) * 600},${155 - (point[key] / max) * 145}`).join(' ');
  chart.replaceChildren();
  for (const key of ['in', 'out']) {
    const polyline = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    polyline.setAttribute('class', key);
    polyline.setAttribute('points', line(key));
    polyline.setAttribute('vector-effect', 'non-scaling-stroke');
    chart.append(polyline);
  }
  $('chart-max').textContent = `scale: ${max.toFixed(1)}/s at the top`;
}

async function sampleMetrics() {
  let text;
  try {
    text = await api('GET', '/metrics');
  } catch (err) {
    $('metrics-note').textContent =
      err.status === 403 || err.status === 401 ? 'Metrics need a platform admin token (realms ["*"]) or METRICS_TOKEN.' : `Metrics: ${err.message}`;
    return;
  }
  $('metrics-note').textContent = '';
  const now = Date.now();
  const sample = { at: now, in: total(text, 'realtime_events_received_total'), out: total(text, 'realtime_events_delivered_total') };
  const previous = session.lastSample;
  session.lastSample = sample;
  $('m-connections').textContent = String(total(text, 'realtime_websocket_connections'));
  const latency = p99(text, 'realtime_broadcast_latency_seconds');
  $('m-p99').textContent = latency === undefined ? '–' : `≤ ${latency} ms`;
  if (previous === undefined) return;
  const seconds = (now - previous.at) / 1000;
  const point = { in: (sample.in - previous.in) / seconds, out: (sample.out - previous.out) / seconds };
  $('m-in').textContent = point.in.toFixed(1);
  $('m-out').textContent = point.out.toFixed(1);
  session.points.push(point);
  session.points.splice(0, Math.max(0, session.points.length - CHART_POINTS));
  drawChart(session.points);
}

async function loadRealms() {
  const { realms } = await api('GET', '/api/realms');
  $('realm-list').replaceChildren(...realms.map((realm) => el('li', {}, `${realm.id}${realm.label ? ` (${realm.label})` : ''}`)));
  if (realms.length === 0) $('realm-list').append(el('li', { className: 'muted' }, 'No object realms created.'));
}

// ---- Connections ----------------------------------------------------------------------------

async function loadConnections() {
  const [{ count }, users] = await Promise.all([api('GET', '/api/socket/connections'), api('GET', '/api/users')]);
  $('connection-count').textContent = String(count);
  $('user-list').replaceChildren(...users.loggedIn.map((user) => el('li', { 'data-user': user }, user)));
}

// ---- Topics -----------------------------------------------------------------------------------

async function loadTopics() {
  const { items } = await api('GET', '/api/topics');
  session.topics = items;
  renderTopics();
}

function renderTopics() {
  const rates = session.tailRates;
  $('topic-rows').replaceChildren(
    ...session.topics.map((topic) =>
      el(
        'tr',
        { 'data-topic': topic.name },
        el('td', {}, topic.name),
        el('td', {}, topic.owner ?? ''),
        el('td', {}, topic.activeSchemaVersion === undefined ? 'none' : `v${topic.activeSchemaVersion}`),
        el('td', {}, String(topic.latestVersion)),
        el('td', {}, rates.has(topic.name) ? rates.get(topic.name).toFixed(1) : '–'),
      ),
    ),
  );
}

// ---- Channels ---------------------------------------------------------------------------------

async function loadChannels() {
  const channels = await api('GET', '/api/socket/channels');
  $('channel-list').replaceChildren(
    ...channels.map((channel) =>
      el(
        'li',
        { 'data-channel': channel.name },
        `${channel.name}: ${channel.memberCount} member${channel.memberCount === 1 ? '' : 's'}`,
        el('button', { type: 'button', className: 'secondary', onclick: () => showMembers(channel.name) }, 'Members'),
      ),
    ),
  );
}

async function showMembers(channel) {
  const members = await api('GET', `/api/socket/channels/${encodeURIComponent(channel)}/members`);
  $('members-title').hidden = false;
  $('members-title').textContent = `Members of ${channel}`;
  $('member-list').replaceChildren(
    ...members.map((member) =>
      el('li', { 'data-member': member.userId }, `${member.userId} (${member.connectionId})${member.state ? ` ${JSON.stringify(member.state)}` : ''}`),
    ),
  );
}

// ---- Documents ------------------------------------------------------------------------------

async function listDocuments(service) {
  const { items } = await api('GET', `/api/sync/${encodeURIComponent(service)}/documents?limit=100`);
  $('document-view').textContent = '';
  $('document-list').replaceChildren(
    ...items.map((doc) =>
      el(
        'li',
        { 'data-document': doc.id },
        el('button', { type: 'button', className: 'secondary', onclick: () => ($('document-view').textContent = JSON.stringify(doc, null, 2)) }, doc.id),
        ` revision ${doc.revision}`,
      ),
    ),
  );
  if (items.length === 0) $('document-list').append(el('li', { className: 'muted' }, 'No documents you may read.'));
}

// ---- Webhooks -------------------------------------------------------------------------------

async function loadWebhooks() {
  const [endpoints, dead] = await Promise.all([api('GET', '/api/webhooks'), api('GET', '/api/webhooks/dead-letters?limit=50')]);
  $('webhook-list').replaceChildren(
    ...endpoints.map((endpoint) =>
      el(
        'li',
        { 'data-webhook': endpoint.id },
        `${endpoint.url} `,
        el('span', { className: 'muted' }, endpoint.active ? 'active' : `inactive${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}`),
      ),
    ),
  );
  $('dead-letter-list').replaceChildren(
    ...dead.items.map((delivery) =>
      el(
        'li',
        { 'data-delivery': delivery.id },
        `${delivery.event} ${delivery.topic ?? ''} after ${delivery.attempts} attempts: ${delivery.lastError ?? delivery.statusCode ?? ''} `,
        el('button', { type: 'button', onclick: () => redeliver(delivery.id) }, 'Redeliver'),
      ),
    ),
  );
  if (dead.items.length === 0) $('dead-letter-list').append(el('li', { className: 'muted' }, 'No dead letters.'));
}

async function redeliver(id) {
  await api('POST', `/api/webhooks/dead-letters/${encodeURIComponent(id)}/redeliver`, {});
  const item = document.querySelector(`[data-delivery="${CSS.escape(id)}"]`);
  item?.replaceChildren(`${item.firstChild?.textContent ?? ''} `, el('strong', {}, 'queued again'));
}

// ---- Database events ------------------------------------------------------------------------

async function loadDatabase() {
  const status = await api('GET', '/api/database/mappings/status');
  $('database-source-list').replaceChildren(
    ...status.sources.map((source) =>
      el(
        'li',
        { 'data-source': source.kind },
        `${source.kind} ${source.slot ?? source.collection ?? ''}: ${source.state}, ${source.changes} changes read`,
        source.lagBytes === undefined ? '' : `, slot ${source.lagBytes} bytes behind`,
        source.pending === undefined ? '' : `, ${source.pending} waiting`,
        source.lastError === undefined ? '' : el('span', { className: 'muted' }, ` last error: ${source.lastError.message}`),
      ),
    ),
  );
  if (status.sources.length === 0)
    $('database-source-list').append(el('li', { className: 'muted' }, 'No source configured (DATABASE_EVENTS_POSTGRES_URL, DATABASE_EVENTS_MONGODB_URL).'));
  $('mapping-list').replaceChildren(
    ...status.mappings.map((mapping) =>
      el(
        'li',
        { 'data-mapping': mapping.id },
        `${mapping.table} → ${mapping.topic}${mapping.active ? '' : ' (paused)'}: ${mapping.stats.delivered} delivered, ${mapping.stats.skipped} skipped, ${mapping.stats.failed} failed`,
        mapping.stats.lastError === undefined ? '' : el('span', { className: 'muted' }, ` last error: ${mapping.stats.lastError.message}`),
      ),
    ),
  );
  if (status.mappings.length === 0) $('mapping-list').append(el('li', { className: 'muted' }, 'No mappings in this realm.'));
}

// ---- Event tail -----------------------------------------------------------------------------

function startTail(topics, filter) {
  for (const id of session.tailSubscriptions) session.client.unsubscribe(id);
  session.tailSubscriptions = topics.map((topic) => session.client.subscribe({ topic, ...(filter === undefined ? {} : { filter }) }));
  session.tailCounts = new Map();
}

function showEvent(event) {
  session.tailCounts.set(event.topic, (session.tailCounts.get(event.topic) ?? 0) + 1);
  const replay = el('button', { type: 'button', className: 'secondary', onclick: () => replayEvent(event, replay) }, 'Replay');
  const item = el(
    'li',
    { 'data-event': event.id, 'data-topic': event.topic },
    `${new Date(event.metadata.timestamp).toLocaleTimeString()} ${event.topic} ${event.type} ${JSON.stringify(event.payload)}`,
    replay,
  );
  $('event-list').prepend(item);
  while ($('event-list').children.length > MAX_TAIL) $('event-list').lastElementChild.remove();
}

async function replayEvent(event, button) {
  await api('POST', '/api/events', { topic: event.topic, type: event.type, payload: event.payload });
  button.textContent = 'Replayed';
  button.disabled = true;
}

// ---- Session ----------------------------------------------------------------------------------

const LOADERS = {
  overview: loadRealms,
  connections: loadConnections,
  topics: loadTopics,
  channels: loadChannels,
  webhooks: loadWebhooks,
  database: loadDatabase,
};

function showTab(name) {
  for (const button of document.querySelectorAll('nav [data-tab]')) button.setAttribute('aria-pressed', String(button.dataset.tab === name));
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== `tab-${name}`;
  problem(undefined);
  LOADERS[name]?.().catch(problem);
}

function signIn(token, realm) {
  const claims = decodeToken(token);
  if (claims === undefined) throw new Error('That is not a JWT.');
  const client = new RealtimeClient({ url: location.origin, token, realm });
  session = {
    token,
    realm,
    client,
    points: [],
    lastSample: undefined,
    topics: [],
    tailSubscriptions: [],
    tailCounts: new Map(),
    tailRates: new Map(),
    timers: [],
  };
  client.on('event', showEvent);
  client.on('error', problem);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token, realm }));
  $('who').textContent = `${claims.sub} in ${realm}`;
  $('sign-in').hidden = true;
  $('console').hidden = false;
  session.timers.push(
    setInterval(() => {
      void sampleMetrics();
      // Per-topic rates of what the tail saw in the last period.
      session.tailRates = new Map([...session.tailCounts].map(([topic, count]) => [topic, count / (SAMPLE_MS / 1000)]));
      session.tailCounts = new Map();
      if (!$('tab-topics').hidden) renderTopics();
    }, SAMPLE_MS),
  );
  void sampleMetrics();
  showTab('overview');
}

function signOut() {
  for (const timer of session?.timers ?? []) clearInterval(timer);
  session?.client.destroy();
  session = undefined;
  sessionStorage.removeItem(SESSION_KEY);
  $('console').hidden = true;
  $('sign-in').hidden = false;
  $('who').textContent = '';
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('sign-in-error').textContent = '';
  const token = $('token').value.trim();
  const realm = $('realm').value.trim();
  try {
    const check = await fetch('/auth/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const verified = await check.json();
    if (!check.ok) throw new Error(verified.message ?? 'The token was refused.');
    signIn(token, realm);
  } catch (err) {
    $('sign-in-error').textContent = String(err.message ?? err);
  }
});
$('sign-out').addEventListener('click', signOut);
for (const button of document.querySelectorAll('nav [data-tab]')) button.addEventListener('click', () => showTab(button.dataset.tab));
for (const button of document.querySelectorAll('[data-refresh]')) button.addEventListener('click', () => LOADERS[button.dataset.refresh]().catch(problem));
$('documents-form').addEventListener('submit', (event) => {
  event.preventDefault();
  listDocuments($('service').value.trim()).catch(problem);
});
$('tail-form').addEventListener('submit', (event) => {
  event.preventDefault();
  try {
    const topics = $('tail-topics')
      .value.split(',')
      .map((topic) => topic.trim())
      .filter(Boolean);
    const text = $('tail-filter').value.trim();
    startTail(topics, text === '' ? undefined : JSON.parse(text));
    $('event-list').replaceChildren();
    problem(undefined);
  } catch (err) {
    problem(err);
  }
});

const saved = sessionStorage.getItem(SESSION_KEY);
if (saved !== null) {
  const { token, realm } = JSON.parse(saved);
  $('token').value = token;
  $('realm').value = realm;
}
