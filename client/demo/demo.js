// The Realtime Platform demo: one page, one RealtimeClient, three panels.
//   - note-panel.js: a shared note (sync documents) with live updates and visible conflicts;
//   - chat-panel.js: a chat channel with a member list and typing / status presence;
//   - feed-panel.js: a live topic feed with a server-side filter the user changes.
// Plain JavaScript modules against the ES module bundle the server serves; no build step.
import { RealtimeClient, decodeToken, isTokenExpired, shouldRefreshToken } from '/sdk/realtime.mjs';
import { startChat } from './chat-panel.js';
import { $, listen } from './dom.js';
import { startFeed } from './feed-panel.js';
import { startNote } from './note-panel.js';

const REALM = 'demo';
const SESSION_KEY = 'realtime-demo-session';
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
/** What a demo user may do: the `client` role plus the note documents and the feed topic. */
const DEMO_GRANTS = { [REALM]: { 'doc/notes/*': 'CRUP', 'topic/demo.*': 'CR' } };
const CONNECTION_TEXT = { connected: 'Connected', connecting: 'Connecting…', disconnected: 'Disconnected' };

/** The running session: its client and the functions that stop it. */
let running;

/** Asks a development server to sign a token for this name (`POST /auth/dev-token`). */
async function mintToken(name) {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: name, realm: REALM, permissions: ['client'], per: DEMO_GRANTS, expiresIn: '12h' }),
  });
  if (response.status === 404) throw new Error('This server does not sign development tokens: paste a token under "Use a token instead".');
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `Signing in failed (HTTP ${response.status})`);
  return body.token;
}

function setConnection(state, text) {
  $('connection').dataset.state = state;
  $('connection-text').textContent = text;
}

/** Errors no single action owns (a refused subscription, a failed re-join) go to one line. */
function showProblem(error) {
  $('problem').hidden = false;
  $('problem').textContent = `${error.code}: ${error.message}`;
}

/** @param {{ name: string, token: string, minted: boolean }} session */
function start(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  $('sign-in').hidden = true;
  $('app').hidden = false;
  $('whoami').hidden = false;
  $('whoami-name').textContent = session.name;
  setConnection('connecting', 'Connecting…');
  const client = new RealtimeClient({
    url: location.origin,
    token: session.token,
    // A demo page never gives up: it keeps trying until the network is back.
    reconnectionAttempts: Infinity,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    // Saves made offline wait (bounded) and go out on reconnect, through the note's merge strategy.
    offlineWrites: { maxEntries: 20, maxAgeMs: 10 * 60_000 },
  });
  const context = { client, name: session.name };
  const stops = [
    client.on('connection', ({ state, attempt }) => {
      setConnection(state, CONNECTION_TEXT[state] ?? `Reconnecting${attempt === undefined ? '' : ` (attempt ${attempt})`}…`);
    }),
    client.on('error', showProblem),
    startNote(context),
    startChat(context),
    startFeed(context),
  ];
  if (session.minted) {
    // Development tokens last 12 hours; a fresh one is handed over without reconnecting.
    const timer = setInterval(async () => {
      if (!shouldRefreshToken(session.token, { thresholdMs: 30 * 60_000 })) return;
      try {
        session.token = await mintToken(session.name);
        await client.setToken(session.token);
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      } catch (err) {
        showProblem({ code: 'TOKEN_REFRESH', message: err.message });
      }
    }, 60_000);
    stops.push(() => clearInterval(timer));
  }
  running = { client, stops };
  $('main').focus();
}

function stop() {
  if (running === undefined) return;
  for (const dispose of running.stops) dispose();
  running.client.destroy();
  running = undefined;
}

listen($('sign-in-form'), 'submit', async (event) => {
  event.preventDefault();
  const error = $('sign-in-error');
  const nameInput = $('sign-in-name');
  error.textContent = '';
  const pasted = $('sign-in-token').value.trim();
  const name = nameInput.value.trim();
  try {
    if (pasted !== '') {
      const claims = decodeToken(pasted);
      if (isTokenExpired(pasted)) throw new Error('That token has expired.');
      start({ name: String(claims.sub), token: pasted, minted: false });
      return;
    }
    if (!NAME_PATTERN.test(name)) {
      nameInput.setAttribute('aria-invalid', 'true');
      throw new Error('Enter a name of 1 to 32 letters, digits, _ . or -.');
    }
    nameInput.removeAttribute('aria-invalid');
    start({ name, token: await mintToken(name), minted: true });
  } catch (err) {
    error.textContent = err instanceof Error ? err.message : String(err);
  }
});

listen($('sign-out'), 'click', () => {
  sessionStorage.removeItem(SESSION_KEY);
  stop();
  $('app').hidden = true;
  $('whoami').hidden = true;
  $('problem').hidden = true;
  $('sign-in').hidden = false;
  setConnection('disconnected', 'Not connected');
  $('sign-in-name').focus();
});

// Resume this tab's session (sessionStorage is per tab, so each tab can be someone else).
try {
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  if (saved !== null && typeof saved.token === 'string' && !isTokenExpired(saved.token)) start(saved);
  else $('sign-in-name').focus();
} catch {
  sessionStorage.removeItem(SESSION_KEY);
  $('sign-in-name').focus();
}
