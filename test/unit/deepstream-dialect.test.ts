import { describe, expect, it } from 'vitest';
import deepstream from '../../client/deepstream/index.js';
import { eventOfCode } from '../../client/deepstream/constants.js';
import { serverUrl } from '../../client/deepstream/server-url.js';
import { makeUid } from '../../client/deepstream/uid.js';
import { ErrorCode, InvalidArgumentError, eventNameOf, eventTopic, eventTopicPattern } from '../../shared/index.js';

describe('the deepstream client without a server', () => {
  it('maps ws(s) and http(s) URLs onto the platform origin, dropping deepstream paths and ?apiKey=', () => {
    expect(serverUrl('wss://123.deepstreamhub.com?apiKey=xxx')).toBe('https://123.deepstreamhub.com');
    expect(serverUrl('ws://localhost:6020/deepstream')).toBe('http://localhost:6020');
    expect(serverUrl('localhost:6020')).toBe('http://localhost:6020');
    expect(serverUrl('https://rt.example.com/app')).toBe('https://rt.example.com');
    expect(() => serverUrl('ftp://example.com')).toThrow(InvalidArgumentError);
    expect(() => deepstream('')).toThrow(InvalidArgumentError);
  });

  it('starts awaiting its connection, and refuses calls that need a login with a clear message', async () => {
    const client = deepstream('ws://127.0.0.1:1');
    expect(client.getConnectionState()).toBe('AWAITING_CONNECTION');
    const errors: unknown[][] = [];
    client.on('error', (...args: never[]) => errors.push(args));
    await expect(client.record.has('user/lisa')).rejects.toThrow(/Log in first/);
    await expect(client.rpc.make('math/add', {})).rejects.toBe('CLIENT_OFFLINE');
    client.event.emit('news', 1);
    expect(errors.map(([, event]) => event)).toEqual(['MESSAGE_PARSE_ERROR', 'CLIENT_OFFLINE']);
    client.close();
    expect(client.getConnectionState()).toBe('CLOSED');
  });

  it('makes sortable unique ids', () => {
    const ids = Array.from({ length: 100 }, makeUid);
    expect(new Set(ids).size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
  });

  it('names a deepstream error event for every platform error code', () => {
    expect(eventOfCode(ErrorCode.CONFLICT)).toBe('VERSION_EXISTS');
    expect(eventOfCode(ErrorCode.FORBIDDEN)).toBe('MESSAGE_DENIED');
    expect(eventOfCode(ErrorCode.CLIENT_OFFLINE)).toBe('CLIENT_OFFLINE');
    for (const code of Object.values(ErrorCode)) {
      expect(eventOfCode(code) === 'INTERNAL_ERROR', code).toBe(code === 'INTERNAL');
    }
  });

  it('turns event-name patterns into ds.* topic patterns and topics back into names', () => {
    expect(eventTopicPattern('news/*')).toBe('ds.news.*');
    expect(eventTopicPattern('Prices/*/eur')).toBe('ds._50rices.*.eur');
    expect(eventNameOf(eventTopic('chat/Room_1'))).toBe('chat/Room_1');
    expect(eventNameOf('sync.notes.updated')).toBeUndefined();
  });
});
