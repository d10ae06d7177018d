/**
 * A client node that produces at a steady rate: every tick it hands the
 * producer `messagesPerSend` messages for the next partition in turn. Each
 * process incarnation builds a fresh producer (a restarted client is a new
 * producer with a new producer id, as in Kafka). Sending stops at `stopAtNs`,
 * after which the producer only finishes what it has.
 */
import { assert } from "../../kernel/assert.js";
import type { History } from "../../clients/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { KafkaProducerConfig } from "./config.js";
import { KafkaProducer } from "./producer.js";
import { topicPartition } from "./protocol.js";

export interface ProducerWorkload {
  /** The client node's name; also the producer's name in the history. */
  name: string;
  topic: string;
  /** Partitions of the topic, written round robin. */
  partitions: number;
  messagesPerSecond: number;
  /** Messages handed to the producer per tick. */
  messagesPerSend: number;
  bytesPerMessage: number;
  config: Partial<KafkaProducerConfig>;
}

export class ProducerDriver implements NodeSoftware {
  private producerNow: KafkaProducer | null = null;
  private node!: WorldNode;
  private partitionNext = 0;
  private readonly tickNs: number;
  /** "<topic>-<partition>" for each partition, built once rather than at every tick. */
  private readonly topicPartitions: string[];
  private readonly onTickBound = (): void => this.onTick();

  constructor(
    private readonly world: World,
    private readonly workload: ProducerWorkload,
    private readonly bootstrap: readonly string[],
    private readonly history: History,
    private readonly stopAtNs: number,
  ) {
    assert(workload.messagesPerSecond > 0 && workload.messagesPerSend > 0, `producer ${workload.name}: rate and batch must be > 0`);
    this.tickNs = Math.max(1, Math.round((workload.messagesPerSend / workload.messagesPerSecond) * 1e9));
    this.topicPartitions = Array.from({ length: workload.partitions }, (_, partition) => topicPartition(workload.topic, partition));
  }

  get producer(): KafkaProducer | null {
    return this.producerNow;
  }

  start(node: WorldNode): void {
    this.node = node;
    this.producerNow = new KafkaProducer({
      world: this.world,
      node,
      bootstrap: this.bootstrap,
      config: this.workload.config,
      history: this.history,
      clientName: this.workload.name,
    });
    this.producerNow.start();
    if (node.now < this.stopAtNs) node.after(this.tickNs, this.onTickBound);
  }

  /** True when this producer has nothing left to send or resolve. */
  isIdle(): boolean {
    return this.producerNow === null || !this.node.isUp || this.producerNow.isIdle();
  }

  private onTick(): void {
    if (this.node.now >= this.stopAtNs) return;
    const partition = this.partitionNext;
    this.partitionNext = (this.partitionNext + 1) % this.workload.partitions;
    this.producerNow!.send(this.topicPartitions[partition]!, this.workload.messagesPerSend, this.workload.bytesPerMessage);
    this.node.after(this.tickNs, this.onTickBound);
  }
}
