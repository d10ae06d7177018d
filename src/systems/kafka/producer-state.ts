/**
 * A partition leader's idempotent-producer state: for each producer id, the
 * metadata of the last five batches it appended (Kafka's ProducerStateEntry,
 * NUM_BATCHES_TO_RETAIN = 5, which is why idempotence needs
 * max.in.flight.requests.per.connection <= 5).
 *
 * Kafka's rules for a client produce (UnifiedLog.analyzeAndValidateProducerState,
 * ProducerAppendInfo.checkSequence, apache/kafka 1eb7644):
 * - a batch whose exact sequence range (first and last sequence) matches one
 *   of the five cached batches is a duplicate: it is answered with the cached
 *   batch's offset and not appended again;
 * - otherwise its first sequence must follow the last cached one, else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER — a retry of a batch the leader never stored
 *   is refused, never reported as written;
 * - a producer the leader has no state for (its batches never reached this
 *   replica, or were removed) may start at any sequence.
 * Brokers since 2.0 (KAFKA-6683) never answer DUPLICATE_SEQUENCE_NUMBER;
 * older ones did for a sequence below the cached five, whether or not it had
 * been stored. The producer still reads it as success, as Kafka's Sender does.
 *
 * The state is rebuilt from the log when a replica becomes leader, as Kafka
 * rebuilds it from its snapshot and the log, so it survives leader changes.
 */
import { assert } from "../../kernel/index.js";
import type { RecordBatch } from "./partition-log.js";

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN. */
export const BATCHES_RETAINED_PER_PRODUCER = 5;

/** One cached batch: its sequence range and where it landed. */
interface BatchMetadata {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

export type SequenceCheck =
  | { kind: "append" }
  | { kind: "duplicate"; baseOffset: number }
  | { kind: "out-of-order"; lastSequence: number };

export class ProducerStateTable {
  /** Per producer id, oldest first, at most BATCHES_RETAINED_PER_PRODUCER. */
  private readonly entries = new Map<number, BatchMetadata[]>();

  /** Forgets everything and replays the log's idempotent batches in offset order. */
  rebuild(batches: readonly RecordBatch[]): void {
    this.entries.clear();
    for (const batch of batches) if (batch.producerId >= 0) this.onAppend(batch);
  }

  /** What to do with a client's batch, before appending it. */
  check(producerId: number, baseSequence: number, count: number): SequenceCheck {
    assert(producerId >= 0 && baseSequence >= 0 && count > 0, `check of producer ${producerId} sequence ${baseSequence} count ${count}`);
    const cached = this.entries.get(producerId);
    if (cached === undefined || cached.length === 0) return { kind: "append" };
    const lastSequence = baseSequence + count - 1;
    for (const metadata of cached) {
      if (metadata.firstSequence === baseSequence && metadata.lastSequence === lastSequence) return { kind: "duplicate", baseOffset: metadata.baseOffset };
    }
    const lastCached = cached[cached.length - 1]!.lastSequence;
    return baseSequence === lastCached + 1 ? { kind: "append" } : { kind: "out-of-order", lastSequence: lastCached };
  }

  /** Records an appended batch (leader append or log replay). */
  onAppend(batch: RecordBatch): void {
    assert(batch.producerId >= 0 && batch.baseSequence >= 0, "only idempotent batches carry producer state");
    let cached = this.entries.get(batch.producerId);
    if (cached === undefined) {
      cached = [];
      this.entries.set(batch.producerId, cached);
    }
    if (cached.length === BATCHES_RETAINED_PER_PRODUCER) cached.shift();
    cached.push({ firstSequence: batch.baseSequence, lastSequence: batch.baseSequence + batch.count - 1, baseOffset: batch.baseOffset });
  }
}
