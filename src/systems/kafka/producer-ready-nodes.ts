/**
 * One pass of Kafka's RecordAccumulator.ready and drain order: for each
 * broker that leads a partition with a sealed batch due now (a "ready
 * node"), every partition it leads that holds a batch, sealed or still open,
 * in a rotating order (Kafka's drainIndex) so that no partition is always
 * last to fit under max.request.size.
 *
 * The same map, set and lists serve every pass, emptied rather than rebuilt
 * (by their counts: `length = 0` would drop an array's storage and the next
 * push allocate it again): the sender runs at every response.
 */
import type { TimeNs } from "../../kernel/index.js";
import type { ProducerPartition } from "./producer-accumulator.js";

/** What the pass asks of the producer. */
export interface ReadyNodesHost {
  leaderOf(topicPartition: string): string | null;
  /** A partition with batches has no known leader: metadata must be refreshed. */
  requestMetadataUpdate(): void;
  /** A retry is backing off until timeNs: the sender must look again then. */
  wakeSenderAt(timeNs: TimeNs): void;
}

/** The partitions one broker leads that hold a batch, in the pass's order: the first `size` entries of `partitions`. */
export class LeaderGroup {
  readonly partitions: ProducerPartition[] = [];
  size = 0;

  add(partition: ProducerPartition): void {
    this.partitions[this.size++] = partition;
  }
}

export class ReadyNodes {
  /** Where the next pass starts among the partitions (Kafka's drainIndex). */
  private drainIndex = 0;
  private readonly groups = new Map<string, LeaderGroup>();
  private readonly ready = new Set<string>();
  /** Brokers with a batch, in the order this pass met them: the first `orderCount` entries. */
  private readonly order: string[] = [];
  private orderCount = 0;

  /** Groups `partitions` by leader and finds the ready brokers among them. */
  collect(partitions: readonly ProducerPartition[], now: TimeNs, host: ReadyNodesHost): void {
    for (let index = 0; index < this.orderCount; index++) this.groups.get(this.order[index]!)!.size = 0;
    this.ready.clear();
    this.orderCount = 0;
    const count = partitions.length;
    if (count === 0) return;
    const start = this.drainIndex % count;
    this.drainIndex = (start + 1) % count;
    for (let k = 0; k < count; k++) {
      const partition = partitions[(start + k) % count]!;
      const head = partition.queue[0] ?? partition.open;
      if (head === null || head === undefined) continue;
      const leader = host.leaderOf(partition.topicPartition);
      if (leader === null) {
        if (partition.queue.length > 0) host.requestMetadataUpdate();
        continue;
      }
      if (head.state === "queued") {
        if (head.retryAtNs > now) host.wakeSenderAt(head.retryAtNs);
        else this.ready.add(leader);
      }
      let group = this.groups.get(leader);
      if (group === undefined) this.groups.set(leader, (group = new LeaderGroup()));
      if (group.size === 0) this.order[this.orderCount++] = leader;
      group.add(partition);
    }
  }

  /** How many brokers the last pass met with a batch. */
  get brokersMetCount(): number {
    return this.orderCount;
  }

  /** The `index`th broker the last pass met with a batch, in the order it met them; isReady tells which are due now. */
  brokerMet(index: number): string {
    return this.order[index]!;
  }

  isReady(broker: string): boolean {
    return this.ready.has(broker);
  }

  /** Every partition the broker leads that holds a batch, in the pass's order. */
  partitionsOf(broker: string): LeaderGroup {
    return this.groups.get(broker)!;
  }
}
