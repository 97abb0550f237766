/**
 * The browser SDK: what `dist/browser/realtime.mjs` exports and what the script-tag bundle
 * `dist/browser/realtime.js` puts on `window.Realtime`.
 *
 * The client API minus the webhook receiver (`WebhookReceiver`, `verifyWebhook` and their options
 * and errors): verifying a webhook needs its secret, which never belongs in a browser.
 * `client/index.ts` re-exports this file and adds those, so the list is written once; the names
 * come from the modules themselves, so a server-side helper added to the index never drags its
 * imports (a Node built-in, say) into the bundle. `test/unit/browser-entry.test.ts` fails when the
 * index exports something this file neither exports nor lists as server-only.
 *
 * @example
 * <script src="/sdk/realtime.js"></script>
 * <script>const client = new Realtime.RealtimeClient({ url: location.origin, token });</script>
 * <script>const hivekit = new Realtime.HivekitClient(); // the Hivekit dialect (client/hivekit)</script>
 */
export * from './core-entry.js';
export { HivekitClient, HIVEKIT_CONSTANTS } from '../hivekit/index.js';
export type { HivekitClientOptions, HivekitRequestError, HivekitConnectionStatus } from '../hivekit/index.js';
/** The deepstream dialect: `Realtime.deepstream(url)` in a script tag (also `realtime-platform/deepstream`). */
export { default as deepstream } from '../deepstream/index.js';
