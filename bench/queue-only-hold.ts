/**
 * The hold model on the bare EventQueue: no Scheduler loop, no RNG draw per
 * event (delays are pre-drawn into a table), no digest, no callback. It is
 * the ceiling the full kernel can approach at a given pending-set size, so
 * the benchmark can tell queue cost from everything around it.
 */
import { distribution } from "../src/kernel/distribution.js";
import { EventQueue } from "../src/kernel/event-queue.js";
import { Rng } from "../src/kernel/rng.js";

const DELAY_TABLE_SIZE = 1 << 20;
const noop = (): void => {};

export class QueueOnlyHold {
  readonly pendingCount: number;
  private readonly queue = new EventQueue();
  private readonly delaysNs = new Float64Array(DELAY_TABLE_SIZE);
  private delayNext = 0;
  eventsFired = 0;

  constructor(seed: number, pendingCount: number, delayNsMean = 1_000_000) {
    this.pendingCount = pendingCount;
    const stream = new Rng(seed).stream("hold:delays");
    const delay = distribution({ kind: "exponential", mean: delayNsMean });
    for (let i = 0; i < DELAY_TABLE_SIZE; i++) this.delaysNs[i] = delay.sample(stream);
    for (let i = 0; i < pendingCount; i++) this.pushNext();
  }

  /** Pops and re-pushes `count` events. */
  runEvents(count: number): void {
    const queue = this.queue;
    for (let i = 0; i < count; i++) {
      queue.peekTime();
      queue.release(queue.popFront());
      this.pushNext();
    }
    this.eventsFired += count;
  }

  private pushNext(): void {
    const delayNs = this.delaysNs[this.delayNext]!;
    this.delayNext = (this.delayNext + 1) & (DELAY_TABLE_SIZE - 1);
    this.queue.push(this.queue.now + delayNs, noop, undefined, 0, 0);
  }
}
