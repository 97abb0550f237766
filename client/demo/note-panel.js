// The shared note: a sync document edited through `client.sync`.
//   - `sync.subscribe` shows every new revision at once, unless the user has unsaved edits: then
//     the page says that a newer revision arrived and keeps the user's text;
//   - `sync.replace(..., expectedRevision)` saves; a stale revision fails with CONFLICT, and the
//     error carries the current document, so the page shows both versions and lets the user choose;
//   - a merge strategy (`sync.setMergeStrategy`) settles the conflicts nobody needs to look at: only
//     one side changed the text, or the save was made offline (the client keeps it, `offlineWrites`,
//     and sends it on reconnect), where both texts are kept, theirs first;
//   - document presence (`openDocument`, `updatePresence`) shows who else has the note open and
//     who is editing.
import { AlreadyExistsError, ConflictError } from '/sdk/realtime.mjs';
import { $, listen } from './dom.js';

const NOTE = { service: 'notes', id: 'shared' };

/**
 * Starts the note panel; returns the function that stops it.
 * @param {{ client: import('/sdk/realtime.mjs').RealtimeClient, name: string }} context
 */
export function startNote({ client, name }) {
  const sc = client.socketClient;
  const text = $('note-text');
  const saveButton = $('note-save');
  /** The revision the text box started from, and the newest revision seen. */
  let base;
  let latest;
  let dirty = false;
  /** Who has the note open, by connection id. */
  const editors = new Map();

  const setStatus = (message) => {
    $('note-status').textContent = message;
  };

  const setDirty = (value) => {
    if (value === dirty) return;
    dirty = value;
    sc.updatePresence(NOTE, { editing: value }).catch(() => {});
  };

  const show = (doc) => {
    base = doc;
    setDirty(false);
    text.value = typeof doc.data.text === 'string' ? doc.data.text : '';
    text.disabled = false;
    saveButton.disabled = false;
    setStatus(doc.revision === 1 ? '' : `Updated to revision ${doc.revision} by ${doc.data.editedBy ?? 'someone'}`);
  };

  const renderMeta = () => {
    $('note-revision').textContent = latest === undefined ? 'Loading…' : `Revision ${latest.revision}, last saved by ${latest.data.editedBy ?? 'someone'}`;
    const names = [...editors.values()]
      .filter((member) => member.connectionId !== sc.id)
      .map((member) => `${member.userId}${member.state.editing === true ? ' (editing)' : ''}`);
    $('note-editors').textContent = names.length === 0 ? '' : `· Also open in: ${[...new Set(names)].join(', ')}`;
  };

  /** The text a pending save started from, and whether it was made offline. */
  let saving;

  /**
   * The note's merge strategy: a save that met a newer revision is written over it when only
   * this side changed the text, dropped when only the other side did, and for a save made
   * offline written with both texts (theirs, then ours); an online save where both changed is
   * left to the user (`undefined`: the CONFLICT reaches `save`, which shows both versions).
   */
  const mergeNote = ({ local, remote }) => {
    const started = saving?.from ?? '';
    const theirs = remote.data.text ?? '';
    if (theirs === started || theirs === local.text) return local;
    if (local.text === started) return remote.data;
    if (saving?.offline !== true) return undefined;
    return { text: `${theirs}\n\n${local.text}`, editedBy: local.editedBy };
  };
  client.sync.setMergeStrategy(NOTE.service, mergeNote);

  const save = async (expectedRevision) => {
    if (expectedRevision === undefined) return;
    const value = text.value;
    saveButton.disabled = true;
    saving = { from: base?.data.text ?? '', offline: !client.connected };
    setStatus(saving.offline ? 'Saved offline: it is sent when you are back online' : 'Saving…');
    try {
      const saved = await client.sync.replace(NOTE.service, NOTE.id, { text: value, editedBy: name }, expectedRevision);
      $('note-conflict').hidden = true;
      show(saved);
      setStatus(`Saved revision ${saved.revision}`);
      text.focus();
    } catch (err) {
      if (err instanceof ConflictError && err.details?.current !== undefined) showConflict(value, err.details.current);
      else setStatus(`Not saved: ${err.message}`);
    } finally {
      saving = undefined;
      saveButton.disabled = false;
      renderMeta();
    }
  };

  /** The server refused a stale write and sent the current document: the user decides. */
  const showConflict = (mine, current) => {
    if (current.revision > (latest?.revision ?? 0)) latest = current;
    const who = current.data.editedBy ?? 'Someone';
    $('note-conflict-summary').textContent =
      `${who} saved revision ${current.revision} after you started editing revision ${base?.revision ?? '?'}. ` + 'Your text is not lost: choose what to keep.';
    $('note-conflict-mine').textContent = mine;
    $('note-conflict-theirs-caption').textContent = `Their text (revision ${current.revision}, ${who})`;
    $('note-conflict-theirs').textContent = current.data.text ?? '';
    $('note-conflict').hidden = false;
    setStatus(`Conflict: revision ${current.revision} is newer than yours`);
    $('note-conflict-title').focus();

    // The text box still holds the user's text (and any edits made since): that is what is saved.
    $('note-keep-mine').onclick = () => void save(current.revision);
    $('note-take-theirs').onclick = () => {
      $('note-conflict').hidden = true;
      show(latest ?? current);
      setStatus(`Using revision ${(latest ?? current).revision}`);
      text.focus();
    };
    $('note-keep-both').onclick = () => {
      $('note-conflict').hidden = true;
      const theirs = latest ?? current;
      base = theirs;
      setDirty(true);
      text.value = `${theirs.data.text ?? ''}\n\n${mine}`;
      setStatus('Both versions kept: review, then save');
      text.focus();
    };
  };

  const reloadEditors = async () => {
    try {
      const members = await sc.members(NOTE);
      editors.clear();
      for (const member of members) editors.set(member.connectionId, member);
      renderMeta();
    } catch {
      // Not permitted to see document presence (a pasted token without P): the note still works.
    }
  };

  const stops = [
    client.sync.subscribe(NOTE.service, NOTE.id, (doc) => {
      latest = doc;
      if (base === undefined || !dirty) show(doc);
      else if (doc.revision > base.revision) {
        setStatus(`${doc.data.editedBy ?? 'Someone'} saved revision ${doc.revision} while you were editing. Saving will ask you what to keep.`);
      }
      renderMeta();
    }),
    sc.on('presence', (change) => {
      if (change.document?.service !== NOTE.service || change.document.id !== NOTE.id) return;
      if (change.type === 'leave') editors.delete(change.member.connectionId);
      else editors.set(change.member.connectionId, change.member);
      renderMeta();
    }),
    // Presence changes made while this page was offline were not seen: read them again.
    client.on('connection', ({ state, previousState }) => {
      if (state === 'connected' && previousState === 'reconnecting') void reloadEditors();
    }),
    listen(text, 'input', () => {
      setDirty(base !== undefined && text.value !== base.data.text);
      setStatus(dirty ? 'Unsaved changes' : '');
    }),
    listen(text, 'keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void save(base?.revision);
      }
    }),
    listen(saveButton, 'click', () => void save(base?.revision)),
    () => {
      $('note-conflict').hidden = true;
      text.value = '';
      text.disabled = true;
      saveButton.disabled = true;
      setStatus('');
    },
  ];

  client.sync.create(NOTE.service, { text: 'Welcome! Edit this note in two tabs at once.', editedBy: name }, NOTE.id).catch((err) => {
    if (!(err instanceof AlreadyExistsError)) setStatus(`Could not open the note: ${err.message}`);
  });
  sc.openDocument(NOTE.service, NOTE.id, { state: { editing: false } }).then(
    ({ members }) => {
      for (const member of members) editors.set(member.connectionId, member);
      renderMeta();
    },
    () => {},
  );

  return () => {
    for (const stop of stops) stop();
  };
}
