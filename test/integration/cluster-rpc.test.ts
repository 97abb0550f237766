import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientOfflineError, ForbiddenError, LimitExceededError, RpcError, type RealtimeClient, type RpcResponse } from '../../client/index.js';
import type { RpcRequestor } from '../../shared/index.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';

// Two nodes sharing Redis: every call here crosses from a caller on one node to providers on
// either, so routing, answers, rejections and provider losses all travel through Redis.
let nodes: TwoNodes;

beforeAll(async () => {
  nodes = await startTwoNodes({ limits: { rpcAcceptTimeoutMs: 400, rpcResponseTimeoutMs: 800, maxRpcCallsPerConnection: 3, maxProvidedRpcsPerConnection: 5 } });
});

afterAll(() => nodes.close());

async function service(index: 0 | 1, sub: string): Promise<RealtimeClient> {
  return nodes.client(index, await nodes.token(sub));
}

function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('RPC across two nodes', () => {
  it('routes a call from a caller on node B to a provider on node A, with the requestor', async () => {
    const provider = await service(0, 'math-backend');
    const caller = await service(1, 'alice');
    const seen: RpcRequestor[] = [];
    await provider.rpc.provide('math/multiply', (data, response, requestor) => {
      seen.push(requestor);
      const { a, b } = data as { a: number; b: number };
      response.send(a * b);
    });
    await expect(caller.rpc.make('math/multiply', { a: 6, b: 7 })).resolves.toBe(42);
    expect(seen).toEqual([{ userId: 'alice', connectionId: expect.stringMatching(/^[A-Za-z0-9_-]+$/) as unknown }]);
    expect(provider.rpc.providerNames()).toEqual(['math/multiply']);
  });

  it('offers a rejected call to another provider, which answers', async () => {
    const picky = await service(0, 'picky');
    const willing = await service(1, 'willing');
    const caller = await service(0, 'caller');
    const offers: string[] = [];
    await picky.rpc.provide('add-two', (_data, response) => {
      offers.push('picky');
      response.reject();
    });
    await willing.rpc.provide('add-two', (data, response) => {
      offers.push('willing');
      response.send((data as number) + 2);
    });
    for (let i = 0; i < 4; i += 1) await expect(caller.rpc.make('add-two', i)).resolves.toBe(i + 2);
    // Round robin starts at either provider; the picky one never ends a call.
    expect(offers.filter((name) => name === 'willing')).toHaveLength(4);
    expect(offers).toContain('picky');
  });

  it('answers NO_RPC_PROVIDER when nobody provides the name, or everybody rejects', async () => {
    const caller = await service(1, 'lonely');
    const err = await rejectionOf(caller.rpc.make('nobody/home', {}));
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'NO_RPC_PROVIDER', details: { name: 'nobody/home', rejectedBy: 0 } });
    const grumpy = await service(0, 'grumpy');
    await grumpy.rpc.provide('grumpy', (_data, response) => response.reject());
    expect(await rejectionOf(caller.rpc.make('grumpy'))).toMatchObject({ code: 'NO_RPC_PROVIDER', details: { rejectedBy: 1 } });
  });

  it("passes a provider's error to the caller as RPC_ERROR", async () => {
    const provider = await service(0, 'failing');
    const caller = await service(1, 'caller-2');
    await provider.rpc.provide('divide', (data, response) => {
      const { b } = data as { b: number };
      if (b === 0) response.error({ message: 'division by zero', data: { b } });
      else response.send(1 / b);
    });
    await provider.rpc.provide('throws', () => {
      throw new Error('handler crashed');
    });
    expect(await rejectionOf(caller.rpc.make('divide', { b: 0 }))).toMatchObject({
      code: 'RPC_ERROR',
      message: 'division by zero',
      details: { name: 'divide', error: { message: 'division by zero', data: { b: 0 } } },
    });
    expect(await rejectionOf(caller.rpc.make('throws'))).toMatchObject({ code: 'RPC_ERROR', message: 'handler crashed' });
  });

  it('fails a call at once when its provider disconnects mid-call, on another node', async () => {
    const provider = await service(0, 'fragile');
    const caller = await service(1, 'caller-3');
    let accepted!: () => void;
    const running = new Promise<void>((resolve) => (accepted = resolve));
    await provider.rpc.provide('slow', () => accepted()); // accepts, never answers
    const call = rejectionOf(caller.rpc.make('slow'));
    await running;
    // One round trip on the provider's connection: its acceptance (sent before it) has reached its node.
    await provider.listening.hasProvider('anything');
    provider.destroy();
    // The response timeout is 800 ms; the loss is reported long before the test's own timeout.
    expect(await call).toMatchObject({ code: 'RPC_PROVIDER_LOST', details: { name: 'slow' } });
  });

  it('still takes the answer of a call accepted before its provider unprovided the name', async () => {
    const provider = await service(0, 'leaving');
    const caller = await service(1, 'caller-5');
    let answer!: RpcResponse;
    const reached = new Promise<void>((resolve) => {
      void provider.rpc.provide('last-call', (_data, response) => {
        answer = response;
        resolve();
      });
    });
    const call = caller.rpc.make('last-call');
    await reached;
    await provider.rpc.unprovide('last-call');
    answer.send('finished');
    await expect(call).resolves.toBe('finished');
    await expect(caller.rpc.make('last-call')).rejects.toMatchObject({ code: 'NO_RPC_PROVIDER' });
  });

  it('times out a provider that neither accepts nor answers, and one that accepts and never answers', async () => {
    const provider = await service(0, 'slowpoke');
    const caller = await service(1, 'caller-4');
    const answers: RpcResponse[] = [];
    await provider.rpc.provide('silent', (_data, response) => void answers.push(response));
    expect(await rejectionOf(caller.rpc.make('silent'))).toMatchObject({ code: 'RESPONSE_TIMEOUT', details: { name: 'silent', timeoutMs: 800 } });
    // A raw socket that takes offers and never acknowledges them.
    const raw = await nodes.client(0, await nodes.token('raw-provider'));
    await raw.rpc.provide('deaf', () => undefined);
    raw.rpc.destroy(); // stops hearing offers: nobody acknowledges them now
    expect(await rejectionOf(caller.rpc.make('deaf'))).toMatchObject({ code: 'ACCEPT_TIMEOUT', details: { name: 'deaf', timeoutMs: 400 } });
    expect(answers).toHaveLength(1);
  });

  it('checks P to provide and C to make on rpc/<name>; the client role makes calls but does not provide', async () => {
    const browser = await nodes.client(1, await nodes.token('browser', { realm: 'demo', permissions: ['client'] }));
    const err = await rejectionOf(browser.rpc.provide('add-two', () => undefined));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ details: { resource: 'rpc/add-two', permission: 'P' } });
    expect(browser.rpc.providerNames()).toEqual([]);
    const granted = await nodes.client(0, await nodes.token('granted', { realm: 'demo', per: { demo: { 'rpc/chat/*': 'P' } } }));
    await granted.rpc.provide('chat/echo', (data, response) => response.send(data));
    await expect(browser.rpc.make('chat/echo', 'hi')).resolves.toBe('hi');
    const outsider = await nodes.client(1, await nodes.token('outsider', { realm: 'demo', permissions: ['subscribe'] }));
    expect(await rejectionOf(outsider.rpc.make('chat/echo', 'x'))).toMatchObject({
      code: 'FORBIDDEN',
      details: { resource: 'rpc/chat/echo', permission: 'C' },
    });
    // Realms never mix: the same name in another realm has no provider.
    const elsewhere = await nodes.client(1, await nodes.token('elsewhere', { realm: 'other', permissions: ['service'] }));
    expect(await rejectionOf(elsewhere.rpc.make('chat/echo', 'x'))).toMatchObject({ code: 'NO_RPC_PROVIDER' });
  });

  it('bounds calls in flight per connection and names provided per connection', async () => {
    const provider = await service(0, 'bounded');
    const caller = await service(1, 'eager');
    const held: RpcResponse[] = [];
    await provider.rpc.provide('hold', (_data, response) => void held.push(response));
    const calls = [1, 2, 3].map((i) => caller.rpc.make('hold', i));
    while (held.length < 3) await new Promise((resolve) => setImmediate(resolve));
    const err = await rejectionOf(caller.rpc.make('hold', 4));
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ details: { limit: 3 } });
    for (const response of held) response.send('done');
    await expect(Promise.all(calls)).resolves.toEqual(['done', 'done', 'done']);
    for (let i = 0; i < 4; i += 1) await provider.rpc.provide(`many/${i}`, () => undefined);
    expect(await rejectionOf(provider.rpc.provide('many/5', () => undefined))).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 5 } });
  });

  it('fails a call in flight with CLIENT_OFFLINE when the caller loses its connection, and provides again after a reconnect', async () => {
    const provider = await service(0, 'steady');
    const caller = await service(1, 'flaky');
    let offered!: () => void;
    const reached = new Promise<void>((resolve) => (offered = resolve));
    await provider.rpc.provide('wait', () => offered());
    const call = rejectionOf(caller.rpc.make('wait'));
    await reached;
    caller.disconnect();
    const err = await call;
    expect(err).toBeInstanceOf(ClientOfflineError);
    expect(err).toMatchObject({ code: 'CLIENT_OFFLINE' });

    await provider.rpc.provide('echo-after-reconnect', (data, response) => response.send(data));
    provider.disconnect();
    provider.connect();
    await provider.ready();
    caller.connect();
    await caller.ready();
    // The provide is re-sent on the new connection before queued requests go out.
    for (;;) {
      const result = await caller.rpc.make('echo-after-reconnect', 'back').catch((e: unknown) => e);
      if (result === 'back') break;
      expect(result).toMatchObject({ code: 'NO_RPC_PROVIDER' }); // the provider's resubscription is still on its way
    }
  });

  it('serves POST /api/rpc/:name for backends, through a provider on the other node', async () => {
    const provider = await service(0, 'rest-provider');
    await provider.rpc.provide('math/add', (data, response, requestor) => {
      const { a, b } = data as { a: number; b: number };
      response.send({ sum: a + b, requestor });
    });
    const bearer = await nodes.token('backend');
    const call = (name: string, body: unknown) =>
      fetch(`${nodes.urls[1]}/api/rpc/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify(body),
      });
    const ok = await call('math/add', { data: { a: 2, b: 3 } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { sum: 5, requestor: { userId: 'backend', connectionId: null } } });
    const none = await call('math/none', {});
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: 'RpcError', code: 'NO_RPC_PROVIDER' });
  });
});
