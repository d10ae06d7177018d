/**
 * The yardstick for mqsim's kernel (issue 16): the hold model on the
 * smallest event set a JavaScript simulator could have — a binary min-heap
 * over two typed arrays (time, slot), a callback per slot, ties broken by a
 * sequence number kept per slot — and nothing else: no handles, no
 * cancellation, no owner groups, no budgets, no digest, no FIFO for
 * zero-delay events. Delays come from the same RNG stream and exponential
 * distribution as HoldModel, so the two differ only in what the kernel adds.
 *
 * Written for this comparison only; the simulator never uses it.
 */
import { distribution, type Distribution } from "../src/kernel/distribution.js";
import { Rng, type RngStream } from "../src/kernel/rng.js";

type Callback = () => void;

class MinimalHeap {
  now = 0;
  private time: Float64Array = new Float64Array(1 << 10);
  private slot: Int32Array = new Int32Array(1 << 10);
  private seqOf: Float64Array = new Float64Array(1 << 10);
  private fnOf: Callback[] = [];
  private free: number[] = [];
  private size = 0;
  private seqNext = 0;

  push(timeNs: number, fn: Callback): void {
    const slot = this.free.pop() ?? this.fnOf.length;
    if (slot === this.fnOf.length) this.fnOf.push(fn);
    else this.fnOf[slot] = fn;
    if (slot >= this.seqOf.length) this.seqOf = grow(this.seqOf, slot * 2);
    this.seqOf[slot] = this.seqNext++;
    if (this.size + 1 >= this.time.length) {
      this.time = grow(this.time, this.time.length * 2);
      this.slot = growInt(this.slot, this.slot.length * 2);
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = this.time[parent]!;
      if (parentTime < timeNs || (parentTime === timeNs && this.seqOf[this.slot[parent]!]! < this.seqOf[slot]!)) break;
      this.time[i] = parentTime;
      this.slot[i] = this.slot[parent]!;
      i = parent;
    }
    this.time[i] = timeNs;
    this.slot[i] = slot;
  }

  /** Pops the earliest event and calls it. */
  fireNext(): void {
    const slot = this.slot[0]!;
    this.now = this.time[0]!;
    const last = --this.size;
    if (last > 0) this.siftDown(this.time[last]!, this.slot[last]!);
    const fn = this.fnOf[slot]!;
    this.free.push(slot);
    fn();
  }

  private siftDown(timeNs: number, slot: number): void {
    const size = this.size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      let child = left;
      if (left + 1 < size) {
        const rightTime = this.time[left + 1]!;
        const leftTime = this.time[left]!;
        if (rightTime < leftTime || (rightTime === leftTime && this.seqOf[this.slot[left + 1]!]! < this.seqOf[this.slot[left]!]!)) child = left + 1;
      }
      const childTime = this.time[child]!;
      if (timeNs < childTime || (timeNs === childTime && this.seqOf[slot]! < this.seqOf[this.slot[child]!]!)) break;
      this.time[i] = childTime;
      this.slot[i] = this.slot[child]!;
      i = child;
    }
    this.time[i] = timeNs;
    this.slot[i] = slot;
  }
}

function grow(array: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length);
  next.set(array);
  return next;
}

function growInt(array: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(array);
  return next;
}

export class MinimalHeapHold {
  readonly pendingCount: number;
  private readonly heap = new MinimalHeap();
  private readonly delays: RngStream;
  private readonly delay: Distribution;
  eventsFired = 0;

  constructor(seed: number, pendingCount: number, delayNsMean = 1_000_000) {
    this.pendingCount = pendingCount;
    this.delays = new Rng(seed).stream("hold:delays");
    this.delay = distribution({ kind: "exponential", mean: delayNsMean });
    for (let i = 0; i < pendingCount; i++) this.heap.push(this.delay.sample(this.delays), this.onEvent);
  }

  runEvents(count: number): void {
    for (let i = 0; i < count; i++) this.heap.fireNext();
    this.eventsFired += count;
  }

  private readonly onEvent = (): void => {
    this.heap.push(this.heap.now + this.delay.sample(this.delays), this.onEvent);
  };
}
