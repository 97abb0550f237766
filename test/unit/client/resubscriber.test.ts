import { describe, expect, it } from 'vitest';
import { Resubscriber, type ResubscribableStream } from '../../../client/resubscriber.js';

/** A connection stand-in: `open()` is what the connection manager's `'open'` does. */
function fakeConnection() {
  const listeners = new Set<() => void>();
  return {
    onOpen: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    open: () => {
      for (const listener of [...listeners]) listener();
    },
    listening: () => listeners.size,
  };
}

function stream(name: string, log: string[]): ResubscribableStream {
  return { resubscribe: () => log.push(name) };
}

describe('Resubscriber', () => {
  it('re-sends every stream kind in the order added, then the queued requests, on every open', () => {
    const connection = fakeConnection();
    const log: string[] = [];
    const resubscriber = new Resubscriber({ onOpen: connection.onOpen, flushQueued: () => log.push('queued requests') });
    resubscriber.add(stream('topics', log));
    resubscriber.add(stream('channels and documents', log));
    connection.open();
    expect(log).toEqual(['topics', 'channels and documents', 'queued requests']);
    log.length = 0;
    connection.open();
    expect(log).toEqual(['topics', 'channels and documents', 'queued requests']);
  });

  it('takes a new stream kind with one add(), re-sent after the earlier ones and before the queued requests', () => {
    const connection = fakeConnection();
    const log: string[] = [];
    const resubscriber = new Resubscriber({ onOpen: connection.onOpen, flushQueued: () => log.push('queued requests') });
    resubscriber.add(stream('topics', log));
    resubscriber.add(stream('channels and documents', log));
    resubscriber.add(stream('geo objects', log));
    connection.open();
    expect(log).toEqual(['topics', 'channels and documents', 'geo objects', 'queued requests']);
  });

  it('keeps going when one stream throws, and reports the error', () => {
    const connection = fakeConnection();
    const log: string[] = [];
    const errors: unknown[] = [];
    const resubscriber = new Resubscriber({
      onOpen: connection.onOpen,
      flushQueued: () => log.push('queued requests'),
      onError: (err) => errors.push(err),
    });
    const broken = new Error('broken stream');
    resubscriber.add({
      resubscribe: () => {
        throw broken;
      },
    });
    resubscriber.add(stream('channels and documents', log));
    connection.open();
    expect(log).toEqual(['channels and documents', 'queued requests']);
    expect(errors).toEqual([broken]);
  });

  it('forgets a removed stream, and stops following the connection once destroyed', () => {
    const connection = fakeConnection();
    const log: string[] = [];
    const resubscriber = new Resubscriber({ onOpen: connection.onOpen, flushQueued: () => log.push('queued requests') });
    const remove = resubscriber.add(stream('topics', log));
    resubscriber.add(stream('channels and documents', log));
    remove();
    connection.open();
    expect(log).toEqual(['channels and documents', 'queued requests']);
    resubscriber.destroy();
    expect(connection.listening()).toBe(0);
  });
});
