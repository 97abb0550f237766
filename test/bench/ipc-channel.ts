import type { ChildProcess } from 'node:child_process';

/**
 * Typed request/reply and notices over a Node IPC channel, between the benchmark orchestrator and
 * its server and client processes.
 *
 * A command map names each command with its argument and result types; the child serves it with
 * {@link serveCommands}, the parent calls it with {@link IpcClient.request}. Children also push
 * notices (e.g. receive progress) that the parent listens to with {@link IpcClient.onNotice}.
 */

/** Command name → argument and result types. */
export type CommandMap = Record<string, { args: unknown; result: unknown }>;
/** Notice name → data type. */
export type NoticeMap = Record<string, unknown>;

type RequestMessage = { kind: 'request'; id: number; command: string; args: unknown };
type ReplyMessage = { kind: 'reply'; id: number; ok: true; result: unknown } | { kind: 'reply'; id: number; ok: false; error: string };
type NoticeMessage = { kind: 'notice'; name: string; data: unknown };
type IpcMessage = RequestMessage | ReplyMessage | NoticeMessage;

/** The handlers a child provides for its command map. */
export type CommandHandlers<M extends CommandMap> = {
  [K in keyof M]: (args: M[K]['args']) => Promise<M[K]['result']> | M[K]['result'];
};

function isMessage(value: unknown): value is IpcMessage {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/**
 * Serves commands in a child process (one started with an IPC channel).
 *
 * @example
 * serveCommands<ServerCommands>({ stats: () => collectStats(), close: async () => { ... } });
 */
export function serveCommands<M extends CommandMap>(handlers: CommandHandlers<M>): void {
  if (process.send === undefined) throw new Error('This process has no IPC channel: start it from the benchmark runner');
  process.on('message', (message: unknown) => {
    if (!isMessage(message) || message.kind !== 'request') return;
    const handler = (handlers as Record<string, ((args: unknown) => unknown) | undefined>)[message.command];
    const reply = (outcome: ReplyMessage): void => {
      if (process.connected) process.send?.(outcome);
    };
    if (handler === undefined) {
      reply({ kind: 'reply', id: message.id, ok: false, error: `unknown command ${message.command}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ kind: 'reply', id: message.id, ok: true, result: result ?? null }),
        (err: unknown) => reply({ kind: 'reply', id: message.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The orchestrator is gone (crashed or killed): never outlive it.
  process.on('disconnect', () => process.exit(0));
}

/**
 * Sends a notice from a child to the orchestrator.
 *
 * @example
 * sendNotice<ClientNotices, 'progress'>('progress', { doneSeq: 41 });
 */
export function sendNotice<N extends NoticeMap, K extends keyof N & string>(name: K, data: N[K]): void {
  if (process.connected) process.send?.({ kind: 'notice', name, data } satisfies NoticeMessage);
}

/**
 * The orchestrator's side of one child's IPC channel.
 *
 * @example
 * const server = new IpcClient<ServerCommands, ServerNotices>(child);
 * const stats = await server.request('stats', {});
 */
export class IpcClient<M extends CommandMap, N extends NoticeMap = NoticeMap> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on('message', (message: unknown) => this.onMessage(message));
    child.once('exit', (code, signal) => {
      const error = new Error(`${label} exited (${String(code ?? signal)}) with requests pending`);
      for (const entry of this.pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(error);
      }
      this.pending.clear();
    });
  }

  /** Sends a command and resolves with its result; rejects on a remote error or after `timeoutMs`. */
  request<K extends keyof M & string>(command: K, args: M[K]['args'], timeoutMs = 120_000): Promise<M[K]['result']> {
    const id = this.nextId++;
    return new Promise<M[K]['result']>((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.label} is not running`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ kind: 'request', id, command, args } satisfies RequestMessage);
    });
  }

  /** Listens to a notice; returns the disposer. */
  onNotice<K extends keyof N & string>(name: K, listener: (data: N[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    const wrapped = listener as (data: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Resolves with the first notice of that name. */
  nextNotice<K extends keyof N & string>(name: K, timeoutMs = 60_000): Promise<N[K]> {
    return new Promise<N[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${this.label}: no "${name}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onNotice(name, (data) => {
        clearTimeout(timer);
        off();
        resolve(data);
      });
    });
  }

  private onMessage(message: unknown): void {
    if (!isMessage(message)) return;
    if (message.kind === 'reply') {
      const entry = this.pending.get(message.id);
      if (entry === undefined) return;
      this.pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(`${this.label}: ${message.error}`));
    } else if (message.kind === 'notice') {
      for (const listener of this.listeners.get(message.name) ?? []) listener(message.data);
    }
  }
}
