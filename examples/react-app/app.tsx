/**
 * The example's components, one per hook family: the connection (useRealtime), a chat with
 * presence (usePresence, useChannel), a shared note (useDocument in Suspense mode) and the live
 * feed the publisher example writes to (useTopic).
 */
import { Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { ConflictError } from '@realtime-platform/client';
import { useChannel, useDocument, usePresence, useRealtime, useTopic } from '@realtime-platform/client/react';

const CHAT = 'chat:react-example';

function Connection(): ReactNode {
  const { state } = useRealtime();
  return <p>Connection: <strong id="state">{state}</strong></p>;
}

function Chat({ name }: { name: string }): ReactNode {
  const { members } = usePresence(CHAT, { initialState: { name } });
  const { messages, publish } = useChannel(CHAT);
  const [text, setText] = useState('');
  const send = (event: FormEvent): void => {
    event.preventDefault();
    void publish('message', { text });
    setText('');
  };
  return (
    <section>
      <h2>Chat</h2>
      <p>Here now:</p>
      <ul id="members">{members.map((member) => <li key={member.connectionId}>{member.userId}</li>)}</ul>
      <ul id="messages" aria-live="polite">
        {messages.map((message) => (
          <li key={`${message.timestamp}-${message.offset ?? ''}`}>{`${message.from.userId}: ${(message.data as { text: string }).text}`}</li>
        ))}
      </ul>
      <form onSubmit={send}>
        <label>Message <input id="chat-text" value={text} onChange={(event) => setText(event.target.value)} required /></label>
        <button id="chat-send" type="submit">Send</button>
      </form>
    </section>
  );
}

function Note(): ReactNode {
  const { client } = useRealtime();
  // Suspends until the first read answers (see the <Suspense> below); null: not created yet.
  const { data, revision } = useDocument('notes', 'react-example', { suspense: true });
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState('');
  const shown = draft ?? String(data?.data.text ?? '');
  const save = async (): Promise<void> => {
    try {
      await client.sync.save('notes', 'react-example', { text: shown }, revision);
      setDraft(undefined);
      setProblem('');
    } catch (err) {
      setProblem(err instanceof ConflictError ? 'Someone saved first: their text is shown; save again to overwrite.' : String(err));
      if (err instanceof ConflictError) setDraft(undefined);
    }
  };
  return (
    <>
      <textarea id="note-text" aria-label="Note" value={shown} onChange={(event) => setDraft(event.target.value)} />
      <p>
        <button id="note-save" type="button" onClick={() => void save()}>Save</button> revision <span id="note-revision">{revision}</span>
      </p>
      {problem === '' ? null : <p role="alert">{problem}</p>}
    </>
  );
}

function Feed(): ReactNode {
  const { events, status } = useTopic('demo.feed', { maxEvents: 20 });
  return (
    <section>
      <h2>Live feed</h2>
      <p>{status === 'success' ? 'Run npm run example:publisher to see events arrive.' : 'Subscribing…'}</p>
      <ul id="feed">{events.map((event) => <li key={event.id}>{`${String(event.payload.level)}: ${String(event.payload.text)}`}</li>)}</ul>
    </section>
  );
}

/**
 * The whole page.
 *
 * @example
 * <RealtimeProvider client={client}><App name="alice" /></RealtimeProvider>
 */
export function App({ name }: { name: string }): ReactNode {
  return (
    <>
      <h1>React app ({name})</h1>
      <Connection />
      <main>
        <Chat name={name} />
        <section>
          <h2>Shared note</h2>
          <Suspense fallback={<p>Loading the note…</p>}>
            <Note />
          </Suspense>
        </section>
        <Feed />
      </main>
    </>
  );
}
