/*
 * The page test/e2e/react.test.ts drives: each panel uses one hook and is mounted and unmounted
 * by its toggle button, so the test can watch the server see subscriptions come and go.
 * `?user=alice` names the user, `?panels=topic,doc` mounts panels at start, `?login=manual`
 * makes a client without a token that logs in only when #login is clicked: until then its
 * requests wait (which holds a Suspense fallback).
 */
import { Component, StrictMode, Suspense, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { RealtimeClient, type RealtimeError } from 'realtime-platform/client';
import { RealtimeProvider, useChannel, useDocument, useObjects, usePresence, useRealtime, useRecord, useTopic } from 'realtime-platform/react';

const params = new URLSearchParams(location.search);
const user = params.get('user') ?? 'alice';
const PANELS = ['topic', 'doc', 'twin', 'presence', 'suspense', 'forbidden', 'objects', 'record'] as const;
type Panel = (typeof PANELS)[number];

async function mintToken(): Promise<string> {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sub: user,
      realm: 'demo',
      permissions: ['client'],
      per: { demo: { 'doc/notes/*': 'CRUP', 'doc/records/*': 'CRUD', 'topic/react.*': 'CR', 'object/*': 'CRUD' } },
    }),
  });
  const body = (await response.json()) as { token: string };
  return body.token;
}

function TopicPanel(): ReactNode {
  const { events, status } = useTopic('react.feed', { filter: { room: 'a' } });
  return (
    <section>
      <p id="topic-status">{status}</p>
      <ul id="topic-events">{events.map((event) => <li key={event.id}>{String(event.payload.text)}</li>)}</ul>
    </section>
  );
}

/** The same document in two panels (`doc` and `twin`) shares one watch. */
function DocPanel({ prefix }: { prefix: string }): ReactNode {
  const { data, status, revision } = useDocument('notes', 'react-note');
  return (
    <section>
      <p id={`${prefix}-status`}>{status}</p>
      <p id={`${prefix}-text`}>{data === null ? '(none)' : String(data?.data.text ?? '')}</p>
      <p id={`${prefix}-revision`}>{revision}</p>
    </section>
  );
}

function PresencePanel(): ReactNode {
  const { members, others, status } = usePresence('room:react', { initialState: { name: user } });
  const { messages, publish } = useChannel('room:react');
  return (
    <section>
      <p id="presence-status">{status}</p>
      <p id="others">{others.map((member) => member.userId).join(',')}</p>
      <ul id="members">
        {members.map((member) => (
          <li key={member.connectionId} data-connection={member.connectionId}>
            {member.userId}
          </li>
        ))}
      </ul>
      <button id="say" type="button" onClick={() => void publish('said', { text: `hello from ${user}` })}>Say hello</button>
      <ul id="messages">{messages.map((message) => <li key={message.offset ?? message.timestamp}>{(message.data as { text: string }).text}</li>)}</ul>
    </section>
  );
}

function SuspenseDocument(): ReactNode {
  const { data } = useDocument('notes', 'react-suspense', { suspense: true });
  return <p id="suspense-content">{data === null ? '(none)' : String(data.data.text)}</p>;
}

function ForbiddenDocument(): ReactNode {
  // A realm the token does not grant.
  useDocument('notes', 'plans', { suspense: true, realm: 'elsewhere' });
  return <p id="forbidden-content">should not render</p>;
}

class ErrorBoundary extends Component<{ children: ReactNode }, { error: RealtimeError | undefined }> {
  override state: { error: RealtimeError | undefined } = { error: undefined };
  static getDerivedStateFromError(error: RealtimeError): { error: RealtimeError } {
    return { error };
  }
  override render(): ReactNode {
    return this.state.error === undefined ? this.props.children : <p id="boundary-error">{this.state.error.code}</p>;
  }
}

function ObjectsPanel(): ReactNode {
  const { objects, status } = useObjects({ where: ['type="react-rider"'] });
  return (
    <section>
      <p id="objects-status">{status}</p>
      <ul id="objects">
        {[...(objects?.values() ?? [])].map((object) => (
          <li key={object.id}>{`${object.id} ${object.location?.latitude ?? '?'}`}</li>
        ))}
      </ul>
    </section>
  );
}

function RecordPanel(): ReactNode {
  const { record, set } = useRecord('react/profile');
  return (
    <section>
      <p id="record-provider">{record === undefined ? '' : String(record.hasProvider)}</p>
      <p id="record-name">{String(record?.data.name ?? '(none)')}</p>
      <p id="record-version">{record?.version ?? ''}</p>
      <button id="record-set" type="button" onClick={() => void set({ name: `set by ${user}` })}>Set</button>
    </section>
  );
}

function PanelView({ panel }: { panel: Panel }): ReactNode {
  switch (panel) {
    case 'topic':
      return <TopicPanel />;
    case 'doc':
    case 'twin':
      return <DocPanel prefix={panel} />;
    case 'presence':
      return <PresencePanel />;
    case 'suspense':
      return (
        <Suspense fallback={<p id="suspense-fallback">Loading…</p>}>
          <SuspenseDocument />
        </Suspense>
      );
    case 'forbidden':
      return (
        <ErrorBoundary>
          <Suspense fallback={<p id="forbidden-fallback">Loading…</p>}>
            <ForbiddenDocument />
          </Suspense>
        </ErrorBoundary>
      );
    case 'objects':
      return <ObjectsPanel />;
    case 'record':
      return <RecordPanel />;
  }
}

function App(): ReactNode {
  const { client, state } = useRealtime();
  const initial = (params.get('panels') ?? '').split(',').filter((name): name is Panel => (PANELS as readonly string[]).includes(name));
  const [mounted, setMounted] = useState<ReadonlySet<Panel>>(new Set(initial));
  const toggle = (panel: Panel): void =>
    setMounted((previous) => {
      const next = new Set(previous);
      if (!next.delete(panel)) next.add(panel);
      return next;
    });
  return (
    <main>
      <p id="state">{state}</p>
      <button id="login" type="button" onClick={() => void mintToken().then((token) => client.login({ token }))}>Log in</button>
      {PANELS.map((panel) => (
        <button key={panel} id={`toggle-${panel}`} type="button" onClick={() => toggle(panel)}>{panel}</button>
      ))}
      {PANELS.filter((panel) => mounted.has(panel)).map((panel) => (
        <div key={panel} id={`panel-${panel}`}>
          <PanelView panel={panel} />
        </div>
      ))}
    </main>
  );
}

const client = new RealtimeClient(params.get('login') === 'manual' ? { url: location.origin } : { url: location.origin, token: await mintToken() });
(window as unknown as { realtimeClient: RealtimeClient }).realtimeClient = client;
const root = document.getElementById('root');
if (root === null) throw new Error('no #root');
createRoot(root).render(
  <StrictMode>
    <RealtimeProvider client={client}>
      <App />
    </RealtimeProvider>
  </StrictMode>,
);
