/**
 * The producer's buffer.memory (Kafka's BufferPool): each batch takes
 * batch.size bytes from its creation until its send-result. When another
 * batch would not fit, the application thread's send() blocks until a
 * resolved batch gives memory back (the producer workload waits, for at most
 * max.block.ms).
 */
import { assert } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";

export class BufferPool {
  private usedBytes = 0;
  /** The application thread blocked in send(), woken when memory comes back. */
  private waiter: (() => void) | null = null;
  private readonly wakeWaiterBound = (): void => {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  };

  constructor(
    private readonly node: WorldNode,
    private readonly batchSizeBytes: number,
    private readonly capacityBytes: number,
    private readonly clientName: string,
  ) {}

  /** send() would block now: no room for another batch (BufferPool.allocate). The caller waits with await(). */
  get isFull(): boolean {
    return this.usedBytes > 0 && this.usedBytes + this.batchSizeBytes > this.capacityBytes;
  }

  /** A batch was created: it holds batch.size bytes until its result. */
  allocate(): void {
    this.usedBytes += this.batchSizeBytes;
  }

  /** A batch got its result: its memory is free again, and a blocked caller may go on. */
  release(): void {
    this.usedBytes -= this.batchSizeBytes;
    assert(this.usedBytes >= 0, `producer ${this.clientName}: buffer.memory in use below 0`);
    // Woken in an event of its own: the batch's completion may be in the middle of the sender's loop.
    if (this.waiter !== null && !this.isFull) this.node.after(0, this.wakeWaiterBound);
  }

  /** Wakes `wake` (once) when memory comes back; one waiter, the application thread. */
  await(wake: () => void): void {
    if (!(this.waiter === null)) assert(false, `producer ${this.clientName}: two threads blocked on buffer.memory`);
    this.waiter = wake;
  }

  /** Stops waiting (max.block.ms ran out: send() threw). */
  cancelWait(): void {
    this.waiter = null;
  }
}
