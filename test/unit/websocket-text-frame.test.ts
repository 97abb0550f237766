import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { textFrame } from '../../server/wire/batched-websocket.js';

describe('textFrame (a batched frame written as one buffer)', () => {
  // The lengths where RFC 6455 switches between the 7-bit, 16-bit and 64-bit length forms.
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])('is the frame ws builds for a %i-byte text payload', (length) => {
    const payload = Buffer.alloc(length, 0x61);
    // ws's own frame builder (untyped in @types/ws), which Socket.IO uses for its pre-encoded broadcasts.
    const { Sender } = WebSocket as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };
    const parts = Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false });
    expect(textFrame(payload).equals(Buffer.concat(parts))).toBe(true);
  });

  it('is read back by a ws client as the same text', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const text = `4${'é'.repeat(70_000)}\x1e4done`;
    server.once('connection', (socket) => (socket as unknown as { _socket: { write(data: Buffer): void } })._socket.write(textFrame(Buffer.from(text))));
    const { port } = server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const received = await new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(received).toBe(text);
  });
});
