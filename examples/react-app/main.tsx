/**
 * The React example: signs in with a development token (`?name=alice` picks the name), makes one
 * RealtimeClient and renders the app under RealtimeProvider, in StrictMode.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RealtimeClient } from 'realtime-platform/client';
import { RealtimeProvider } from 'realtime-platform/react';
import { App } from './app.js';

const name = new URLSearchParams(location.search).get('name') ?? `guest-${Math.floor(Math.random() * 1000)}`;

async function devToken(sub: string): Promise<string> {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, realm: 'demo', permissions: ['client'], per: { demo: { 'doc/notes/*': 'CRUP', 'topic/demo.*': 'CR' } } }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (body.token === undefined) throw new Error(body.message ?? `no token (HTTP ${response.status})`);
  return body.token;
}

const client = new RealtimeClient({ url: location.origin, token: await devToken(name) });
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <RealtimeProvider client={client}>
      <App name={name} />
    </RealtimeProvider>
  </StrictMode>,
);
