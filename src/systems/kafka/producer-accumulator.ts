/**
 * The record accumulator (Kafka's RecordAccumulator): one queue of batches per
 * partition. Messages go into the partition's open batch; a batch is sealed
 * when it is full (batch.size bytes, header included) or linger.ms after its
 * first message, whichever comes first. A single message larger than
 * batch.size gets a batch of its own, as in Kafka.
 *
 * Message ids are reserved from the history when a batch is sealed, not when
 * send() is called, so a batch's ids are consecutive even when other clients
 * share the history; ids still grow in send order within a partition.
 *
 * Retried batches go back to the *front* of their queue (Kafka's reenqueue):
 * in arrival order of their failures for a plain producer — which is how a
 * retry lands after a later batch — and in sequence order for an idempotent
 * one (RecordAccumulator.insertInSequenceOrder), so that order survives.
 */
import { assert } from "../../kernel/index.js";
import type { DurationNs } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { WorldNode } from "../../world/node.js";
import { DeadlineTimer } from "../../world/deadline-timer.js";
import { ProducerBatch } from "./producer-batch.js";

export class ProducerPartition {
  readonly topicPartition: string;
  /** The batch still taking messages, if any. */
  open: ProducerBatch | null = null;
  /** Sealed batches waiting for their first send or a retry, in the order they will go. */
  readonly queue: ProducerBatch[] = [];
  /** Batches whose request awaits a response, in send order (expired ones included). */
  readonly inFlight: ProducerBatch[] = [];
  /** Next idempotent sequence number for the current producer id. */
  nextSequence = 0;

  constructor(topicPartition: string) {
    this.topicPartition = topicPartition;
  }
}

/** What the producer does when a batch is created and when it is sealed. */
export interface AccumulatorSink {
  onBatchCreated(batch: ProducerBatch): void;
  /** `isDrained`: sealed by the sender draining it (it goes out now), not by linger.ms or by filling. */
  onBatchSealed(partition: ProducerPartition, batch: ProducerBatch, isDrained: boolean): void;
}

export class RecordAccumulator {
  /** Partitions in the order they were first sent to: the sender drains them in this order. */
  readonly partitions = new Map<string, ProducerPartition>();
  /** The same partitions as an array, for the sender's rotating pass without an allocation per pass. */
  private readonly list: ProducerPartition[] = [];
  private readonly node: WorldNode;
  private readonly history: History;
  private readonly clientName: string;
  private readonly batchSizeBytes: number;
  private readonly lingerNs: DurationNs;
  private readonly sink: AccumulatorSink;
  /**
   * One wake-up for every open batch's linger.ms, as Kafka's sender computes
   * its poll timeout from the oldest batch (RecordAccumulator.ready's
   * nextReadyCheckDelayMs) instead of a timer per batch.
   */
  private readonly lingerTimer: DeadlineTimer;

  constructor(options: {
    node: WorldNode;
    history: History;
    clientName: string;
    batchSizeBytes: number;
    lingerNs: DurationNs;
    sink: AccumulatorSink;
  }) {
    this.node = options.node;
    this.history = options.history;
    this.clientName = options.clientName;
    this.batchSizeBytes = options.batchSizeBytes;
    this.lingerNs = options.lingerNs;
    this.sink = options.sink;
    this.lingerTimer = new DeadlineTimer(this.node, () => this.onLingerCheck());
  }

  partition(topicPartition: string): ProducerPartition {
    let partition = this.partitions.get(topicPartition);
    if (partition === undefined) {
      partition = new ProducerPartition(topicPartition);
      this.partitions.set(topicPartition, partition);
      this.list.push(partition);
    }
    return partition;
  }

  /** Every partition, in the order first sent to. */
  partitionList(): readonly ProducerPartition[] {
    return this.list;
  }

  /** Appends `count` messages of `bytesPerMessage` bytes each; O(batches touched), not O(count). Returns the batch holding the last one. */
  append(topicPartition: string, count: number, bytesPerMessage: number): ProducerBatch {
    const partition = this.partition(topicPartition);
    let remaining = count;
    let last: ProducerBatch | null = null;
    while (remaining > 0) {
      const batch = partition.open ?? this.openBatch(partition);
      last = batch;
      let room = Math.floor((this.batchSizeBytes - batch.bytes) / bytesPerMessage);
      if (batch.count === 0 && room < 1) room = 1;
      if (room < 1) {
        this.seal(partition, batch);
        continue;
      }
      const taken = Math.min(room, remaining);
      batch.count += taken;
      batch.bytes += taken * bytesPerMessage;
      remaining -= taken;
      // Full when another message of this size would not fit: send it without lingering.
      if (batch.bytes + bytesPerMessage > this.batchSizeBytes) this.seal(partition, batch);
    }
    assert(last !== null, `append of ${count} messages`);
    return last;
  }

  /** Puts a batch that failed back at the front of its queue for a retry. */
  reenqueue(batch: ProducerBatch, isIdempotent: boolean): void {
    if (!(batch.state === "queued")) assert(false, `reenqueue of a ${batch.state} batch`);
    const queue = this.partition(batch.topicPartition).queue;
    if (!isIdempotent || !batch.hasSequence) {
      queue.unshift(batch);
      return;
    }
    let index = 0;
    while (index < queue.length) {
      const queued = queue[index]!;
      if (!queued.hasSequence || batch.sequencedBefore(queued)) break;
      index++;
    }
    queue.splice(index, 0, batch);
  }

  /** Removes a queued batch (it expired); true if it was there. */
  remove(batch: ProducerBatch): boolean {
    const queue = this.partition(batch.topicPartition).queue;
    const index = queue.indexOf(batch);
    if (index < 0) return false;
    queue.splice(index, 1);
    return true;
  }

  /** Seals a batch that is still open: the sender drains it before its linger.ms, or it expired first. */
  sealOpen(batch: ProducerBatch): void {
    this.seal(this.partition(batch.topicPartition), batch, true);
  }

  private openBatch(partition: ProducerPartition): ProducerBatch {
    if (!(partition.open === null)) assert(false, `${partition.topicPartition}: two open batches`);
    const batch = new ProducerBatch(partition.topicPartition, this.node.now);
    partition.open = batch;
    this.lingerTimer.armBy(batch.createdNs + this.lingerNs);
    this.sink.onBatchCreated(batch);
    return batch;
  }

  /** Seals every open batch whose linger.ms has run out, in partition order, and waits for the next one. */
  private onLingerCheck(): void {
    const now = this.node.now;
    let nextNs = Number.POSITIVE_INFINITY;
    const list = this.list;
    for (let index = 0; index < list.length; index++) {
      const partition = list[index]!;
      const open = partition.open;
      if (open === null) continue;
      const dueNs = open.createdNs + this.lingerNs;
      if (dueNs <= now) this.seal(partition, open);
      else if (dueNs < nextNs) nextNs = dueNs;
    }
    if (nextNs !== Number.POSITIVE_INFINITY) this.lingerTimer.armBy(nextNs);
  }

  private seal(partition: ProducerPartition, batch: ProducerBatch, isDrained = false): void {
    if (!(partition.open === batch && batch.state === "open")) assert(false, `${partition.topicPartition}: seal of a batch that is not open`);
    if (!(batch.count > 0)) assert(false, `${partition.topicPartition}: seal of an empty batch`);
    partition.open = null;
    batch.state = "queued";
    batch.idFirst = this.history.reserveIds(batch.count);
    this.history.record({ type: "send", timeNs: this.node.now, client: this.clientName, idFirst: batch.idFirst, count: batch.count });
    partition.queue.push(batch);
    this.sink.onBatchSealed(partition, batch, isDrained);
  }
}
