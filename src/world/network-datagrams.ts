/**
 * The datagram side of the network: which process listens on which port, and
 * the faults datagrams suffer (loss, duplication, reordering by an extra
 * delay), drawn from their own named stream. The packet path itself (NIC,
 * latency, partitions, delivery) is network.ts's, shared with connections.
 */
import { assert } from "../kernel/assert.js";
import { distribution, type Distribution } from "../kernel/distribution.js";
import type { Marks } from "../kernel/marks.js";
import type { RngStream } from "../kernel/rng.js";
import { NO_DATAGRAM_FAULTS, type DatagramFaults } from "./network-options.js";
import type { WorldNode } from "./node.js";

export interface DatagramHandler {
  onDatagram(node: WorldNode, from: WorldNode, payload: unknown, bytes: number): void;
}

export class DatagramPorts {
  private readonly bindings = new Map<string, DatagramHandler>();
  private faults: DatagramFaults;
  private reorderDelay: Distribution;

  constructor(
    faults: DatagramFaults | undefined,
    private readonly rng: RngStream,
    private readonly marks: Marks,
  ) {
    this.faults = faults ?? NO_DATAGRAM_FAULTS;
    this.reorderDelay = distribution(this.faults.reorderDelay);
  }

  bind(node: WorldNode, port: string, handler: DatagramHandler): void {
    assert(node.isProcessAlive, `node ${node.name}: bind while crashed`);
    const key = `${node.index}:${port}`;
    assert(!this.bindings.has(key), `node ${node.name} already bound ${port}`);
    this.bindings.set(key, handler);
  }

  /** The handler bound on the node's port, if any. */
  handlerAt(nodeIndex: number, port: string): DatagramHandler | undefined {
    return this.bindings.get(`${nodeIndex}:${port}`);
  }

  /** The node's process is gone: so are its bindings. */
  unbindAll(node: WorldNode): void {
    const prefix = `${node.index}:`;
    for (const key of [...this.bindings.keys()]) if (key.startsWith(prefix)) this.bindings.delete(key);
  }

  setFaults(faults: DatagramFaults | null): void {
    this.faults = faults ?? NO_DATAGRAM_FAULTS;
    this.reorderDelay = distribution(this.faults.reorderDelay);
  }

  /** Draws whether the next datagram is lost. */
  isLost(): boolean {
    return this.rng.chance(this.faults.loss.numerator, this.faults.loss.denominator);
  }

  /** Draws whether the datagram just sent is sent twice. */
  isDuplicated(): boolean {
    if (!this.rng.chance(this.faults.duplicate.numerator, this.faults.duplicate.denominator)) return false;
    this.marks.hit("net.datagram.duplicated");
    return true;
  }

  /** Extra delay of a reordered datagram (0 for one that is not). */
  extraDelayNs(): number {
    if (!this.rng.chance(this.faults.reorder.numerator, this.faults.reorder.denominator)) return 0;
    this.marks.hit("net.datagram.reordered");
    return this.reorderDelay.sample(this.rng);
  }
}
