/**
 * A single-consumer queue with a fixed capacity. `push` never blocks: when the queue is
 * full the item is refused (the caller counts the drop). The consumer pulls with
 * `next()`, which resolves when an item arrives or the queue is closed (then `undefined`).
 */
export class BoundedQueue<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #head = 0;
  #waiter: ((item: T | undefined) => void) | undefined;
  #closed = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be >= 1');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Returns false (and keeps nothing) when the queue is full or closed. */
  push(item: T): boolean {
    if (this.#closed) return false;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(item);
      return true;
    }
    if (this.size >= this.#capacity) return false;
    this.#items.push(item);
    return true;
  }

  /** Adds an item even when full, evicting the oldest ones (for items that must arrive). */
  pushEvicting(item: T): number {
    let evicted = 0;
    while (this.size >= this.#capacity) {
      this.#shift();
      evicted++;
    }
    this.push(item);
    return evicted;
  }

  next(): Promise<T | undefined> {
    if (this.size > 0) return Promise.resolve(this.#shift());
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#waiter) return Promise.reject(new Error('BoundedQueue has a single consumer'));
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Ends the queue; items already queued are still delivered, then `next()` gives undefined. */
  close(): void {
    this.#closed = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }

  #shift(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = await this.next();
      if (item === undefined) return;
      yield item;
    }
  }
}
