/**
 * React bindings (`realtime-platform/react`): a provider for a `RealtimeClient` and one hook per
 * kind of live data. Every hook subscribes while its component is mounted and stops (unsubscribe,
 * leave, close, cancel) when the last component using the same thing unmounts; StrictMode's
 * double mount neither leaks nor re-subscribes. Documents, records, presence and objects have a
 * Suspense mode (`{ suspense: true }`).
 *
 * @example
 * import { RealtimeProvider, useDocument } from 'realtime-platform/react';
 * <RealtimeProvider client={client}><Note /></RealtimeProvider>
 */
export { RealtimeProvider, RealtimeContext, useRealtimeContext } from './realtime-provider.js';
export type { RealtimeProviderProps, RealtimeContextValue } from './realtime-provider.js';
export { useRealtime } from './use-realtime.js';
export type { UseRealtimeResult } from './use-realtime.js';
export { useTopic, DEFAULT_MAX_TOPIC_EVENTS } from './use-topic.js';
export type { UseTopicOptions, UseTopicResult } from './use-topic.js';
export { useDocument } from './use-document.js';
export type { UseDocumentOptions, UseDocumentResult, UseSuspenseDocumentResult } from './use-document.js';
export { usePresence } from './use-presence.js';
export type { UsePresenceOptions, UsePresenceResult } from './use-presence.js';
export { useChannel, DEFAULT_MAX_CHANNEL_MESSAGES } from './use-channel.js';
export type { UseChannelOptions, UseChannelResult } from './use-channel.js';
export { useObjects } from './use-objects.js';
export type { UseObjectsOptions, UseObjectsResult } from './use-objects.js';
export { useRecord } from './use-record.js';
export type { UseRecordOptions, UseRecordResult, RecordState } from './use-record.js';
export { LiveResource, LiveResourceCache, DEFAULT_LIVE_RESOURCE_OPTIONS } from './live-resource.js';
export type { LiveSnapshot, LiveStatus, LiveSink, LiveResourceOptions } from './live-resource.js';
export type { Membership } from './presence-membership.js';
export { applyPresence } from './presence-membership.js';
