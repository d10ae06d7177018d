/**
 * The CPU of one Erlang process (a queue, a mirror): work is serial, so a
 * queue never uses more than one core however big the machine: the reason
 * one queue "can never exceed one machine" (claim C7). reserve() returns how
 * long from now the work finishes; busy time is kept for utilisation.
 */
import { assert } from "../../kernel/assert.js";

export class SerialCpu {
  private busyUntilNs = 0;
  private busyNsTotal = 0;

  reserve(nowNs: number, costNs: number): number {
    assert(costNs >= 0 && Number.isFinite(costNs), `cpu cost ${costNs}`);
    const cost = Math.ceil(costNs);
    const start = Math.max(nowNs, this.busyUntilNs);
    this.busyUntilNs = start + cost;
    this.busyNsTotal += cost;
    return this.busyUntilNs - nowNs;
  }

  get busyNs(): number {
    return this.busyNsTotal;
  }
}
