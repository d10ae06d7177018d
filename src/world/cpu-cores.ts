/**
 * A machine's cores, shared by the threads that run on it: a thread whose
 * work is ready takes a free core, or waits for one in arrival order, and
 * gives it back when the work is done. With more runnable threads than
 * cores, work queues here: the machine's CPU, not each thread alone, bounds
 * what its software does. (SerialThread takes a core for each piece of
 * work when it is given one.)
 */
import { assert, RingQueue } from "../kernel/index.js";

export class CpuCores {
  private busy = 0;
  private readonly waiting = new RingQueue<() => void>(16);

  constructor(readonly count: number) {
    assert(Number.isSafeInteger(count) && count >= 1, `a machine of ${count} cores`);
  }

  /** Cores running work now. */
  get busyCount(): number {
    return this.busy;
  }

  /** Work waiting for a core. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** `start` runs once a core is this caller's: at once if one is free. */
  acquire(start: () => void): void {
    if (this.busy < this.count) {
      this.busy++;
      start();
      return;
    }
    this.waiting.push(start);
  }

  /** The work on a core is done: the core goes to the longest waiter, or becomes free. */
  release(): void {
    assert(this.busy > 0, "a core released that nobody held");
    const next = this.waiting.shift();
    if (next === undefined) {
      this.busy--;
      return;
    }
    next();
  }
}
