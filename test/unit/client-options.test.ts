import { describe, expect, it } from 'vitest';
import { RealtimeClient, type ClientWarning, type RealtimeClientOptions } from '../../client/index.js';

const base = { url: 'http://127.0.0.1:9', token: 'header.payload.signature', autoConnect: false };

function warningsOf(options: Record<string, unknown>): ClientWarning[] {
  const warnings: ClientWarning[] = [];
  const client = new RealtimeClient({ ...base, ...options, onWarning: (warning) => warnings.push(warning) } as RealtimeClientOptions);
  client.destroy();
  return warnings;
}

describe('RealtimeClient options', () => {
  it('warns about an unknown option, naming it and the option it probably meant', () => {
    expect(warningsOf({ reconectionDelay: 5 })).toEqual([
      {
        code: 'UNKNOWN_OPTION',
        option: 'reconectionDelay',
        suggestion: 'reconnectionDelay',
        message: 'Unknown RealtimeClient option "reconectionDelay" (ignored); did you mean "reconnectionDelay"?',
      },
    ]);
    const [far] = warningsOf({ colour: 'blue' });
    expect(far).toMatchObject({ code: 'UNKNOWN_OPTION', option: 'colour' });
    expect(far).not.toHaveProperty('suggestion');
    expect(far?.message).toContain('the options are url, token, realm');
  });

  it('says nothing about known options', () => {
    expect(warningsOf({ reconnectionDelay: 5, realm: 'demo', debug: false, transports: ['polling'] })).toEqual([]);
  });

  it('warns on the console unless onWarning is given', () => {
    const seen: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => seen.push(args);
    try {
      new RealtimeClient({ ...base, reconnectionDelayMs: 5 } as RealtimeClientOptions).destroy();
    } finally {
      console.warn = original;
    }
    expect(seen).toEqual([['[realtime] Unknown RealtimeClient option "reconnectionDelayMs" (ignored); did you mean "reconnectionDelay"?']]);
  });

  it('refuses an onWarning that is not a function', () => {
    expect(() => new RealtimeClient({ ...base, onWarning: 'loud' } as unknown as RealtimeClientOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'onWarning must be a function' }),
    );
  });

  it('accepts no token (the client logs in after connecting), but refuses an empty one', () => {
    const client = new RealtimeClient({ url: base.url, autoConnect: false });
    expect(client.state).toBe('disconnected');
    client.destroy();
    expect(() => new RealtimeClient({ ...base, token: ' ' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it.each([[-1], [Number.NaN], ['10']])('refuses outgoingMessageBufferTime %j', (value) => {
    expect(() => new RealtimeClient({ ...base, outgoingMessageBufferTime: value } as unknown as RealtimeClientOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/outgoingMessageBufferTime/) }),
    );
  });

  it.each([[50], [1.5], [-1], [4_000_000]])('refuses heartbeatInterval %j (0, or 100 to 3600000)', (value) => {
    expect(() => new RealtimeClient({ ...base, heartbeatInterval: value })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/heartbeatInterval/) }),
    );
  });

  it('takes outgoingMessageBufferTime false, 0 or more, and heartbeatInterval 0 or within bounds', () => {
    for (const options of [
      { outgoingMessageBufferTime: false as const },
      { outgoingMessageBufferTime: 25 },
      { heartbeatInterval: 0 },
      { heartbeatInterval: 100 },
    ]) {
      new RealtimeClient({ ...base, ...options }).destroy();
    }
  });
});
