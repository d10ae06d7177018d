/**
 * A first-in first-out queue on a growable ring buffer.
 *
 * Hot model paths (a broker's request queue, a connection's waiting
 * requests, a link's awaited answers) fill and empty their queues at every
 * request. An array used as a queue allocates there: `shift()` moves or
 * trims it and `length = 0` drops its backing store, so the next `push`
 * allocates a new one. The ring keeps its buffer for the queue's life and
 * allocates only when it grows past its largest size so far.
 */
import { assert } from "./assert.js";

export class RingQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private size = 0;
  private mask: number;

  /** `capacityInitial` is rounded up to a power of two. */
  constructor(capacityInitial = 8) {
    let capacity = 2;
    while (capacity < capacityInitial) capacity *= 2;
    this.items = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.size;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** Removes and returns the oldest item; undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    // Cleared so the queue does not keep a finished request alive.
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  /** The oldest item without removing it; undefined when empty. */
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  /** The item `index` places from the oldest (0 is the oldest). */
  at(index: number): T {
    if (!(index >= 0 && index < this.size)) assert(false, `ring queue index ${index} outside 0..${this.size - 1}`);
    return this.items[(this.head + index) & this.mask] as T;
  }

  /** Removes the item `index` places from the oldest, keeping the others' order: O(length), for the rare case. */
  removeAt(index: number): T {
    const item = this.at(index);
    for (let k = index; k < this.size - 1; k++) {
      this.items[(this.head + k) & this.mask] = this.items[(this.head + k + 1) & this.mask];
    }
    this.items[(this.head + this.size - 1) & this.mask] = undefined;
    this.size--;
    return item;
  }

  /** Inserts the item `index` places from the oldest (0: it becomes the oldest), keeping the others' order: O(length), for the rare case. */
  insertAt(index: number, item: T): void {
    if (!(index >= 0 && index <= this.size)) assert(false, `ring queue insert at ${index} outside 0..${this.size}`);
    if (this.size === this.items.length) this.grow();
    for (let k = this.size; k > index; k--) this.items[(this.head + k) & this.mask] = this.items[(this.head + k - 1) & this.mask];
    this.items[(this.head + index) & this.mask] = item;
    this.size++;
  }

  /** Removes every item; the buffer is kept. */
  clear(): void {
    for (let k = 0; k < this.size; k++) this.items[(this.head + k) & this.mask] = undefined;
    this.head = 0;
    this.size = 0;
  }

  /** The items, oldest first, as a new array (for snapshots and tests, not hot paths). */
  toArray(): T[] {
    const out: T[] = [];
    for (let k = 0; k < this.size; k++) out.push(this.items[(this.head + k) & this.mask] as T);
    return out;
  }

  private grow(): void {
    const old = this.items;
    const capacity = old.length * 2;
    const items = new Array<T | undefined>(capacity).fill(undefined);
    for (let k = 0; k < this.size; k++) items[k] = old[(this.head + k) & this.mask];
    this.items = items;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
