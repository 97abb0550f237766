/** A place in a {@link LinkedQueue}, kept by the caller to remove that value later in O(1). */
export interface QueueLink<T> {
  readonly value: T;
  prev: QueueLink<T> | undefined;
  next: QueueLink<T> | undefined;
}

/**
 * A first-in first-out queue that can also drop any value it holds in constant time, given the
 * link that {@link LinkedQueue.push} returned.
 *
 * Why this exists: the in-memory history evicts "the oldest event of the realm" and "the oldest
 * event of the node" on appends; events also leave through their own stream (age, count, stream
 * bytes). One doubly linked list per realm and one for the node keep both in append order, so each
 * eviction is O(1) whichever way an event goes.
 *
 * @example
 * const queue = new LinkedQueue<string>();
 * const link = queue.push('a');
 * queue.push('b');
 * queue.remove(link);
 * queue.first?.value; // 'b'
 */
export class LinkedQueue<T> {
  private head: QueueLink<T> | undefined;
  private tail: QueueLink<T> | undefined;
  private count = 0;

  /** The oldest link, if any. */
  get first(): QueueLink<T> | undefined {
    return this.head;
  }

  get size(): number {
    return this.count;
  }

  /** Appends a value; returns its link. */
  push(value: T): QueueLink<T> {
    const link: QueueLink<T> = { value, prev: this.tail, next: undefined };
    if (this.tail === undefined) this.head = link;
    else this.tail.next = link;
    this.tail = link;
    this.count += 1;
    return link;
  }

  /** Removes a link this queue returned (once). */
  remove(link: QueueLink<T>): void {
    if (link.prev === undefined) this.head = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.tail = link.prev;
    else link.next.prev = link.prev;
    link.prev = undefined;
    link.next = undefined;
    this.count -= 1;
  }
}
