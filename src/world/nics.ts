/**
 * Every node's NIC: a FIFO egress queue and the receiving switch port, each
 * kept as the time it next becomes free. A packet's serialisation starts when
 * the queue is free and takes bytes / bandwidth; nothing is allocated per
 * packet and no event is needed for queueing.
 *
 * Each direction also sums its serialisation time: busy time up to an
 * instant is that sum less what is still queued past it (the queue is busy
 * without a break until it next becomes free), so a utilisation read at any
 * instant is the share of the time elapsed the wire really carried bits,
 * never above 1, however long the queue.
 */
import { assert } from "../kernel/assert.js";
import type { NicSpec } from "./network-options.js";
import type { WorldNode } from "./node.js";
import { transferNs } from "./units.js";

export class Nics {
  private readonly egressBytesPerSec: Float64Array;
  private readonly ingressBytesPerSec: Float64Array;
  private readonly egressFreeAtNs: Float64Array;
  private readonly ingressFreeAtNs: Float64Array;
  private readonly egressSerialisedNs: Float64Array;
  private readonly ingressSerialisedNs: Float64Array;

  constructor(nodes: readonly WorldNode[], nicOf: (node: WorldNode) => NicSpec) {
    const n = nodes.length;
    this.egressBytesPerSec = new Float64Array(n);
    this.ingressBytesPerSec = new Float64Array(n);
    this.egressFreeAtNs = new Float64Array(n);
    this.ingressFreeAtNs = new Float64Array(n);
    this.egressSerialisedNs = new Float64Array(n);
    this.ingressSerialisedNs = new Float64Array(n);
    for (const node of nodes) {
      const nic = nicOf(node);
      const ingress = nic.ingressBytesPerSec ?? nic.egressBytesPerSec;
      assert(nic.egressBytesPerSec > 0 && Number.isFinite(nic.egressBytesPerSec), `node ${node.name}: NIC egress bandwidth must be > 0`);
      assert(ingress > 0 && Number.isFinite(ingress), `node ${node.name}: NIC ingress bandwidth must be > 0`);
      this.egressBytesPerSec[node.index] = nic.egressBytesPerSec;
      this.ingressBytesPerSec[node.index] = ingress;
    }
  }

  /** Queues `wireBytes` on the sender's egress; returns when the last bit leaves. */
  depart(src: number, wireBytes: number, nowNs: number): number {
    const serialiseNs = transferNs(wireBytes, this.egressBytesPerSec[src]!);
    const departNs = Math.max(nowNs, this.egressFreeAtNs[src]!) + serialiseNs;
    this.egressFreeAtNs[src] = departNs;
    this.egressSerialisedNs[src] = this.egressSerialisedNs[src]! + serialiseNs;
    return departNs;
  }

  /**
   * A packet whose last bit arrives at `arrivalNs` through the receiver's port:
   * it is delivered then, unless the port is still busy with earlier packets.
   */
  receive(dst: number, wireBytes: number, arrivalNs: number): number {
    const serialiseNs = transferNs(wireBytes, this.ingressBytesPerSec[dst]!);
    const deliverNs = Math.max(arrivalNs, this.ingressFreeAtNs[dst]! + serialiseNs);
    this.ingressFreeAtNs[dst] = deliverNs;
    this.ingressSerialisedNs[dst] = this.ingressSerialisedNs[dst]! + serialiseNs;
    return deliverNs;
  }

  /** A machine lost power: whatever waited in its queues is gone. */
  reset(index: number, nowNs: number): void {
    // The queued work never happens: it leaves the busy sums.
    this.egressSerialisedNs[index] = this.egressSerialisedNs[index]! - Math.max(0, this.egressFreeAtNs[index]! - nowNs);
    this.ingressSerialisedNs[index] = this.ingressSerialisedNs[index]! - Math.max(0, this.ingressFreeAtNs[index]! - nowNs);
    this.egressFreeAtNs[index] = nowNs;
    this.ingressFreeAtNs[index] = nowNs;
  }

  /** Time the node's egress has spent serialising bits up to `nowNs`. */
  egressBusyNs(index: number, nowNs: number): number {
    return this.egressSerialisedNs[index]! - Math.max(0, this.egressFreeAtNs[index]! - nowNs);
  }

  /** Time the node's switch port has spent delivering bits up to `nowNs`. */
  ingressBusyNs(index: number, nowNs: number): number {
    return this.ingressSerialisedNs[index]! - Math.max(0, this.ingressFreeAtNs[index]! - nowNs);
  }

  /** Time until the node's egress queue drains (for backpressure decisions). */
  egressBacklogNs(index: number, nowNs: number): number {
    return Math.max(0, this.egressFreeAtNs[index]! - nowNs);
  }
}
