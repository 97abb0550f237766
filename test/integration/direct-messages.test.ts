import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, type RealtimeClient } from '../../client/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collectSocketEvents, nextSocketEvent } from '../support/socket-wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function connectedClient(sub: string, claims: Record<string, unknown> = { realm: 'demo' }): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token({ sub, ...claims }) });
  await client.ready();
  return client;
}

describe('direct messages', () => {
  it('reaches one connection by its id (the reference form), naming the sender', async () => {
    const [sender, receiver] = await Promise.all([connectedClient('dm-sender'), connectedClient('dm-receiver')]);
    const received = nextSocketEvent(receiver.socketClient, 'direct');
    const result = await sender.socketClient.directMessage(receiver.socketClient.id as string, 'notification', { text: 'You have a new message' });
    expect(result).toEqual({ recipients: 1 });
    expect(await received).toMatchObject({
      realm: 'demo',
      event: 'notification',
      data: { text: 'You have a new message' },
      from: { userId: 'dm-sender', connectionId: sender.socketClient.id },
    });
  });

  it('reaches every connection of a user with { userId }, and nobody else', async () => {
    const [sender, phone, laptop, bystander] = await Promise.all([
      connectedClient('dm-from'),
      connectedClient('dm-multi'),
      connectedClient('dm-multi'),
      connectedClient('dm-bystander'),
    ]);
    const bystanderInbox = collectSocketEvents(bystander.socketClient, 'direct');
    const toPhone = nextSocketEvent(phone.socketClient, 'direct');
    const toLaptop = nextSocketEvent(laptop.socketClient, 'direct');

    const result = await sender.socketClient.directMessage({ userId: 'dm-multi' }, 'ping', { n: 1 });
    expect(result).toEqual({ recipients: 2 });
    for (const message of await Promise.all([toPhone, toLaptop])) {
      expect(message).toMatchObject({ event: 'ping', data: { n: 1 }, from: { userId: 'dm-from' } });
    }
    // A sentinel to the bystander proves the first message never reached it.
    const sentinel = nextSocketEvent(bystander.socketClient, 'direct');
    await sender.socketClient.directMessage(bystander.socketClient.id as string, 'sentinel');
    expect((await sentinel).event).toBe('sentinel');
    expect(bystanderInbox.values.map((message) => message.event)).toEqual(['sentinel']);
  });

  it('answers NOT_FOUND for an unknown connection or a user with no connection, instead of dropping the message', async () => {
    const sender = await connectedClient('dm-lost');
    const unknownConnection = await sender.socketClient.directMessage('no-such-connection', 'ping').catch((err: unknown) => err);
    expect(unknownConnection).toBeInstanceOf(NotFoundError);
    expect(unknownConnection).toMatchObject({ code: 'NOT_FOUND', details: { connectionId: 'no-such-connection', realm: 'demo' } });

    const offline = await sender.socketClient.directMessage({ userId: 'nobody-home' }, 'ping').catch((err: unknown) => err);
    expect(offline).toBeInstanceOf(NotFoundError);
    expect(offline).toMatchObject({ details: { userId: 'nobody-home' } });
  });

  it('answers NOT_FOUND for a connection that has gone', async () => {
    const [sender, goner] = await Promise.all([connectedClient('dm-late'), connectedClient('dm-gone')]);
    const watcher = await connectedClient('dm-gone-watcher');
    await watcher.socketClient.joinChannel('dm-gone-room');
    await goner.socketClient.joinChannel('dm-gone-room');
    const goneId = goner.socketClient.id as string;
    const left = nextSocketEvent(watcher.socketClient, 'presence', (event) => event.type === 'leave');
    goner.disconnect();
    await left; // the server has removed the connection
    await expect(sender.socketClient.directMessage(goneId, 'ping')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('needs C on user/<recipient>', async () => {
    const target = await connectedClient('dm-guarded');
    // A `per` token without roles: it may message dm-open only.
    const limited = await connectedClient('dm-limited', { realm: 'demo', per: { demo: { 'user/dm-open': 'C' } } });
    const open = await connectedClient('dm-open');
    const byUser = await limited.socketClient.directMessage({ userId: 'dm-guarded' }, 'ping').catch((err: unknown) => err);
    expect(byUser).toBeInstanceOf(ForbiddenError);
    expect(byUser).toMatchObject({ details: { resource: 'user/dm-guarded', permission: 'C' } });
    const byConnection = await limited.socketClient.directMessage(target.socketClient.id as string, 'ping').catch((err: unknown) => err);
    expect(byConnection).toMatchObject({ code: 'FORBIDDEN', details: { resource: 'user/dm-guarded' } });

    const allowed = nextSocketEvent(open.socketClient, 'direct');
    await expect(limited.socketClient.directMessage({ userId: 'dm-open' }, 'ping')).resolves.toEqual({ recipients: 1 });
    expect((await allowed).from.userId).toBe('dm-limited');
  });

  it('stays inside the realm: connections and users elsewhere are not found', async () => {
    const sender = await connectedClient('dm-realm-sender', { realm: 'demo' });
    const elsewhere = await connectedClient('dm-realm-other', { realm: 'other' });
    await expect(sender.socketClient.directMessage(elsewhere.socketClient.id as string, 'ping')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(sender.socketClient.directMessage({ userId: 'dm-realm-other' }, 'ping')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A connection granted both realms receives in each, tagged with the realm, on that realm's socket client.
    const both = await connectedClient('dm-two-realms', { realms: ['demo', 'other'], realm: undefined });
    const inOther = nextSocketEvent(both.realm('other').socketClient, 'direct');
    const inDemo = collectSocketEvents(both.realm('demo').socketClient, 'direct');
    await elsewhere.socketClient.directMessage({ userId: 'dm-two-realms' }, 'hello-other');
    expect(await inOther).toMatchObject({ realm: 'other', event: 'hello-other' });
    expect(inDemo.values).toEqual([]);
  });
});
