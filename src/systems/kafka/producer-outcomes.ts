/**
 * How a producer's batches end: the response to each attempt, a lost
 * connection, delivery.timeout.ms, the decision to retry, and the one
 * "send-result" that closes every batch in the history.
 *
 * - "ok" with its base offset; "error" when the broker surely did not write
 *   it (a non-retriable error, or retries / delivery.timeout.ms used up while
 *   no attempt could have been written); "unknown" when it may have been
 *   written (an attempt timed out or its connection broke, or the broker said
 *   it appended but could not replicate). Every attempt also leaves an
 *   "op-ok" or "op-failed" event, from which unavailability windows are
 *   measured.
 * - A sequenced batch that fails for good retires the idempotent producer id
 *   (see resetProducerId), so the id lives here too.
 *
 * Separate from producer.ts, which keeps the sender loop (what goes where,
 * when): this file is the bookkeeping of results, and it reads as one story.
 */
import { assert } from "../../kernel/index.js";
import type { History, SendOutcome } from "../../history/history.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { RecordAccumulator } from "./producer-accumulator.js";
import {
  invalidatesMetadata,
  isRetriableProduceError,
  mayHaveBeenWritten,
  type ProduceError,
  type ProducerBatch,
} from "./producer-batch.js";
import type { ResolvedProducerConfig } from "./producer-config.js";
import type { BrokerConnection } from "./producer-connection.js";
import { DeliveryTimeouts } from "./producer-delivery-timeouts.js";
import { allocateProducerId } from "./producer-ids.js";
import type { ProducerMetadata } from "./producer-metadata.js";
import type { ProducePartResult } from "./protocol.js";

const OUTCOME_CODE: Record<SendOutcome, number> = { ok: 0, error: 1, unknown: 2 };

export class BatchOutcomes {
  private readonly config: ResolvedProducerConfig;
  private readonly clientName: string;
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly history: History;
  private readonly accumulator: RecordAccumulator;
  private readonly metadata: ProducerMetadata;
  private readonly deliveryTimeouts: DeliveryTimeouts;
  private producerIdNow = -1;
  /** Batches created and not yet given a send-result. */
  private unresolvedNow = 0;
  /** The last attempt recorded failed: the next success closes the unavailability window (recordOpOk). */
  private isSendFailing = false;

  private readonly onBatchDone: (batch: ProducerBatch) => void;

  constructor(options: {
    config: ResolvedProducerConfig;
    clientName: string;
    world: World;
    node: WorldNode;
    history: History;
    accumulator: RecordAccumulator;
    metadata: ProducerMetadata;
    /** A batch got its send-result (its buffer memory is free again). */
    onBatchDone: (batch: ProducerBatch) => void;
  }) {
    this.onBatchDone = options.onBatchDone;
    this.config = options.config;
    this.clientName = options.clientName;
    this.world = options.world;
    this.node = options.node;
    this.history = options.history;
    this.accumulator = options.accumulator;
    this.metadata = options.metadata;
    if (this.config.idempotent) this.producerIdNow = allocateProducerId(this.history);
    this.deliveryTimeouts = new DeliveryTimeouts(this.node, this.config.deliveryTimeoutNs, (batch) => this.onDeliveryTimeout(batch));
  }

  /** The idempotent producer id fresh batches are stamped with; -1 when idempotence is off. */
  get producerId(): number {
    return this.producerIdNow;
  }

  /** Batches created and not yet given a send-result. */
  get unresolved(): number {
    return this.unresolvedNow;
  }

  /** A batch exists: it now owes a send-result, by delivery.timeout.ms at the latest. */
  onBatchCreated(batch: ProducerBatch): void {
    this.unresolvedNow++;
    this.deliveryTimeouts.add(batch);
  }

  /** One partition's answer in a ProduceResponse, for the batch that partition's part carried. */
  onProduceResponse(connection: BrokerConnection, batch: ProducerBatch, response: ProducePartResult): void {
    if (response.error !== "NONE" && response.error !== "DUPLICATE_SEQUENCE_NUMBER") {
      this.onAttemptFailed(connection, batch, response.error);
      return;
    }
    this.removeInFlight(batch);
    this.recordOpOk();
    if (batch.state === "done") return;
    // DUPLICATE_SEQUENCE_NUMBER: the broker has the batch but no longer knows
    // its offset; Kafka's Sender.completeBatch reports success without one.
    this.complete(batch, "ok", "", response.error === "NONE" ? response.baseOffset : -1, connection.broker.name);
  }

  onAttemptFailed(connection: BrokerConnection, batch: ProducerBatch, error: ProduceError): void {
    this.removeInFlight(batch);
    this.recordOpFailed(error);
    if (mayHaveBeenWritten(error)) batch.mightBeWritten = true;
    if (invalidatesMetadata(error)) {
      this.metadata.forgetLeader(batch.topicPartition, connection.broker.name);
      this.metadata.requestUpdate();
    }
    if (batch.state === "done") return;
    if (!(batch.state === "in-flight")) assert(false, `attempt of a ${batch.state} batch failed`);
    const isRetriable =
      isRetriableProduceError(error) ||
      (error === "OUT_OF_ORDER_SEQUENCE_NUMBER" && this.config.idempotent && this.hasEarlierUnresolved(batch));
    if (isRetriable && batch.retriesUsed < this.config.retries) {
      batch.retriesUsed++;
      batch.retryAtNs = this.node.now + this.config.retryBackoffNs;
      batch.state = "queued";
      this.accumulator.reenqueue(batch, this.config.idempotent);
      this.world.kernel.marks.hit("kafka.producer.retry");
      return;
    }
    this.complete(batch, batch.mightBeWritten ? "unknown" : "error", error, -1);
  }

  /** Gives the batch its send-result; `server` is the broker that answered (or took an acks=0 write). */
  complete(batch: ProducerBatch, outcome: SendOutcome, error: string, position: number, server = ""): void {
    if (!(batch.state !== "done" && batch.state !== "open")) assert(false, `completion of a ${batch.state} batch`);
    batch.state = "done";
    this.unresolvedNow--;
    this.deliveryTimeouts.trim();
    assert(this.unresolvedNow >= 0, "more batches completed than created");
    const now = this.node.now;
    this.history.record({
      type: "send-result",
      timeNs: now,
      client: this.clientName,
      idFirst: batch.idFirst,
      count: batch.count,
      outcome,
      stream: batch.topicPartition,
      position,
      error,
      ...(server === "" ? {} : { server }),
    });
    this.world.kernel.trace.record("kafka.producer.result", this.clientName, batch.idFirst, batch.count, OUTCOME_CODE[outcome]);
    this.onBatchDone(batch);
    const completions = batch.completions;
    if (completions !== null) {
      batch.completions = null;
      for (let completionIndex = 0; completionIndex < completions.length; completionIndex++) {
        const completion = completions[completionIndex]!;
        completion(outcome);
      }
    }
    if (outcome !== "ok" && batch.hasSequence && batch.producerId === this.producerIdNow) this.resetProducerId();
  }

  /**
   * An attempt succeeded. Only the first success after a failure is
   * recorded: an "op-ok" with no failure before it closes no unavailability
   * window, and one per batch would be the history's largest kind of event.
   */
  recordOpOk(): void {
    if (!this.isSendFailing) return;
    this.isSendFailing = false;
    this.history.record({ type: "op-ok", timeNs: this.node.now, client: this.clientName, op: "send" });
  }

  recordOpFailed(error: ProduceError): void {
    this.isSendFailing = true;
    this.history.record({ type: "op-failed", timeNs: this.node.now, client: this.clientName, op: "send", error });
  }

  /** True while a batch with a smaller sequence (same producer id) may still land: a gap is not final yet. */
  private hasEarlierUnresolved(batch: ProducerBatch): boolean {
    const partition = this.accumulator.partition(batch.topicPartition);
    for (let otherIndex = 0; otherIndex < partition.queue.length; otherIndex++) {
      const other = partition.queue[otherIndex]!;
      if (isUnresolvedBefore(other, batch)) return true;
    }
    for (let otherIndex = 0; otherIndex < partition.inFlight.length; otherIndex++) {
      const other = partition.inFlight[otherIndex]!;
      if (isUnresolvedBefore(other, batch)) return true;
    }
    return false;
  }

  private onDeliveryTimeout(batch: ProducerBatch): void {
    // Only with linger.ms = delivery.timeout.ms and shuffled ties can this beat the linger timer.
    if (batch.state === "open") this.accumulator.sealOpen(batch);
    const wasInFlight = batch.state === "in-flight";
    if (batch.state === "queued") assert(this.accumulator.remove(batch), "an expired queued batch was not in its queue");
    // An in-flight batch stays in its partition's in-flight list until its request ends.
    this.recordOpFailed("DELIVERY_TIMEOUT");
    const outcome: SendOutcome = wasInFlight || batch.mightBeWritten ? "unknown" : "error";
    this.world.kernel.marks.hit(`kafka.producer.expired-${outcome}`);
    this.complete(batch, outcome, "DELIVERY_TIMEOUT", -1);
  }

  /**
   * A sequenced batch failed for good, leaving a gap the broker would answer
   * with OUT_OF_ORDER_SEQUENCE_NUMBER forever. Kafka before KIP-360 took a
   * new producer id and restarted sequences at 0 (KIP-360 bumps the epoch
   * instead; mqsim has no producer epochs). Batches already stamped keep
   * their old id, so their retries still deduplicate.
   */
  private resetProducerId(): void {
    this.producerIdNow = allocateProducerId(this.history);
    for (const partition of this.accumulator.partitions.values()) partition.nextSequence = 0;
    this.world.kernel.marks.hit("kafka.producer.producer-id-reset");
  }

  private removeInFlight(batch: ProducerBatch): void {
    const inFlight = this.accumulator.partition(batch.topicPartition).inFlight;
    const index = inFlight.indexOf(batch);
    if (!(index >= 0)) assert(false, `${batch.topicPartition}: a finished request's batch was not in flight`);
    inFlight.splice(index, 1);
  }
}

function isUnresolvedBefore(other: ProducerBatch, batch: ProducerBatch): boolean {
  return other !== batch && other.state !== "done" && other.hasSequence && other.producerId === batch.producerId && other.baseSequence < batch.baseSequence;
}
