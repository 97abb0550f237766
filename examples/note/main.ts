/**
 * A collaborative note: the sync document `notes/example-note`, watched live
 * (`client.sync.subscribe`), saved with compare-and-set (`save` over the revision shown; 0
 * creates it), and who has it open from document presence. A save over a revision
 * someone else replaced fails with CONFLICT and shows their text. `?name=alice` picks the name.
 */
import { ConflictError, RealtimeClient, type SyncDocument } from '@realtime-platform/client';

const SERVICE = 'notes';
const ID = 'example-note';
const name = new URLSearchParams(location.search).get('name') ?? `guest-${Math.floor(Math.random() * 1000)}`;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function devToken(sub: string): Promise<string> {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // `client` reads every document; writing notes and appearing in their presence need more.
    body: JSON.stringify({ sub, realm: 'demo', permissions: ['client'], per: { demo: { 'doc/notes/*': 'CRUP' } } }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (body.token === undefined) throw new Error(body.message ?? `no token (HTTP ${response.status})`);
  return body.token;
}

const client = new RealtimeClient({ url: location.origin, token: await devToken(name) });
$('me').textContent = name;
const text = $<HTMLTextAreaElement>('text');
let revision = 0;
let editing = false;
text.addEventListener('input', () => (editing = true));

function show(document: SyncDocument): void {
  // While the user types, keep their text and the revision it was based on: saving then meets
  // the newer revision with a CONFLICT instead of overwriting it unseen.
  if (editing) {
    $('saved').textContent = `Revision ${document.revision} arrived while you were editing`;
    return;
  }
  revision = document.revision;
  $('revision').textContent = String(revision);
  text.value = String(document.data.text ?? '');
}
client.sync.subscribe(SERVICE, ID, show);

// Who has the note open: document presence.
const viewers = new Map<string, string>();
const renderViewers = (): void => void ($('viewers').textContent = [...new Set(viewers.values())].sort().join(', '));
const opened = await client.socketClient.openDocument(SERVICE, ID, { state: { name } });
for (const member of opened.members) viewers.set(member.connectionId, member.userId);
renderViewers();
client.socketClient.on('presence', ({ document, type, member }) => {
  if (document?.service !== SERVICE || document.id !== ID) return;
  if (type === 'leave') viewers.delete(member.connectionId);
  else viewers.set(member.connectionId, member.userId);
  renderViewers();
});

$('save').addEventListener('click', async () => {
  $('conflict').hidden = true;
  try {
    // Compare-and-set over the revision shown (0: create it).
    const saved = await client.sync.save(SERVICE, ID, { text: text.value }, revision);
    editing = false;
    revision = saved.revision;
    $('revision').textContent = String(revision);
    $('saved').textContent = `Saved revision ${saved.revision}`;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const current = (err.details as { current?: SyncDocument }).current;
    $('conflict').hidden = false;
    $('conflict').textContent =
      `Someone saved first (revision ${current?.revision}): "${String(current?.data?.text ?? '')}". Save again to overwrite with yours.`;
    if (current !== undefined) {
      revision = current.revision;
      $('revision').textContent = String(revision);
    }
  }
});
