/**
 * Runs tasks one after another per key (a connection id), and different keys independently.
 *
 * Why this exists: a connection's presence operations are asynchronous (the store may be Redis),
 * and a disconnect can arrive while its `join` is still being stored. Queuing every operation of
 * a connection behind the previous one makes the cleanup on disconnect run after anything that
 * connection started, so nothing it joined is left behind.
 *
 * @example
 * const queue = new KeyedSerialQueue();
 * await queue.run(socket.id, () => store.addMember(...));
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every earlier task of `key`; resolves or rejects with its outcome. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every queued task (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
