/**
 * Chat with presence: every tab joins the channel `chat:examples` with a presence state
 * (`{ status }`), lists who is there from presence events, and sends and shows messages.
 * `?name=alice` picks the name (a random one otherwise).
 */
import { RealtimeClient, type PresenceMember } from 'realtime-platform/client';

const CHANNEL = 'chat:examples';
const name = new URLSearchParams(location.search).get('name') ?? `guest-${Math.floor(Math.random() * 1000)}`;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A development server signs a token for this name (`POST /auth/dev-token`). */
async function devToken(sub: string): Promise<string> {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, realm: 'demo', permissions: ['client'] }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (body.token === undefined) throw new Error(body.message ?? `no token (HTTP ${response.status})`);
  return body.token;
}

const client = new RealtimeClient({ url: location.origin, token: await devToken(name) });
$('me').textContent = name;
client.on('connection', ({ state }) => ($('state').textContent = state));

// Members by connection: a user with two tabs appears twice.
const members = new Map<string, PresenceMember>();
function renderMembers(): void {
  $('members').replaceChildren(
    ...[...members.values()].map((member) => {
      const li = document.createElement('li');
      li.dataset.status = String(member.state.status ?? 'online');
      li.textContent = `${member.userId} (${li.dataset.status})`;
      return li;
    }),
  );
}

function showMessage(text: string): void {
  const li = document.createElement('li');
  li.textContent = text;
  $('messages').append(li);
}

const sc = client.socketClient;
sc.on('presence', ({ channel, type, member }) => {
  if (channel !== CHANNEL) return;
  if (type === 'leave') members.delete(member.connectionId);
  else members.set(member.connectionId, member);
  renderMembers();
});
sc.on('message', ({ channel, data, from }) => {
  if (channel === CHANNEL) showMessage(`${from.userId}: ${(data as { text: string }).text}`);
});

const joined = await sc.joinChannel(CHANNEL, { state: { status: 'online' } });
for (const member of joined.members ?? []) members.set(member.connectionId, member);
renderMembers();

$('send').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('text');
  void sc.publish(CHANNEL, 'message', { text: input.value });
  input.value = '';
});
$('status').addEventListener('change', () => {
  void sc.updatePresence(CHANNEL, { status: $<HTMLSelectElement>('status').value }).then((me) => {
    members.set(me.connectionId, me);
    renderMembers();
  });
});
