/**
 * The producer's calling (application) thread as a CPU: each send() costs it
 * producerRecordNs per record (src/systems/kafka/cpu-costs.ts), and it cannot
 * call again before that time is spent. The producer workload waits for
 * freeAtNs, so one thread's send() rate is capped by its CPU.
 */
import type { WorldNode } from "../../world/node.js";

export class CallerThread {
  private busyUntilNs = 0;
  private cpuNsTotal = 0;

  constructor(
    private readonly node: WorldNode,
    private readonly recordCostNs: number,
  ) {}

  /** A send() of `count` records: the records join their batch now, and the caller is busy for their cost. */
  chargeRecords(count: number): void {
    const costNs = Math.round(count * this.recordCostNs);
    this.cpuNsTotal += costNs;
    this.busyUntilNs = Math.max(this.node.now, this.busyUntilNs) + costNs;
  }

  /** When the thread can call send() again; a past time when idle. */
  get freeAtNs(): number {
    return this.busyUntilNs;
  }

  /** CPU the thread has spent in send(). */
  get cpuNs(): number {
    return this.cpuNsTotal;
  }
}
