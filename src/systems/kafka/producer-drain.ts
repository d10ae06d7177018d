/**
 * Kafka's RecordAccumulator.drain for one broker: the batches of one
 * ProduceRequest. It takes the first batch of every partition the broker
 * leads, in the ready pass's rotating order (producer-ready-nodes.ts) —
 * sealing one still lingering, as Kafka's drain closes it — up to
 * max.request.size, skipping partitions whose head backs off before a retry
 * or must wait to keep an idempotent producer's order.
 */
import type { TimeNs } from "../../kernel/index.js";
import type { ProducerPartition, RecordAccumulator } from "./producer-accumulator.js";
import type { ProducerBatch } from "./producer-batch.js";
import type { LeaderGroup } from "./producer-ready-nodes.js";

export interface DrainLimits {
  readonly isIdempotent: boolean;
  readonly maxRequestBytes: number;
  /** The idempotent producer's current id. */
  readonly producerId: number;
}

/** The batches of the next request to the group's broker (empty when none may go now); sealed and taken off their queues. */
export function drainOneRequest(group: LeaderGroup, now: TimeNs, limits: DrainLimits, accumulator: RecordAccumulator): ProducerBatch[] {
  const batches: ProducerBatch[] = [];
  let bytes = 0;
  for (let partitionIndex = 0; partitionIndex < group.size; partitionIndex++) {
    const partition = group.partitions[partitionIndex]!;
    const head = partition.queue[0] ?? partition.open;
    if (head === null || head === undefined || head.retryAtNs > now) continue;
    if (limits.isIdempotent && mustHoldForOrder(partition, head, limits.producerId)) continue;
    // max.request.size: the first batch goes whatever its size; then the request is full.
    if (batches.length > 0 && bytes + head.bytes > limits.maxRequestBytes) break;
    if (head.state === "open") accumulator.sealOpen(head);
    const batch = partition.queue.shift()!;
    batches.push(batch);
    bytes += batch.bytes;
  }
  return batches;
}

/** Whether a partition of the group has a sealed batch due now (a plain loop: this runs at every request). */
export function hasDueHead(group: LeaderGroup, now: TimeNs): boolean {
  for (let index = 0; index < group.size; index++) if (isDue(group.partitions[index]!.queue[0], now)) return true;
  return false;
}

/** A sealed batch that may be sent now (not backing off before a retry). */
function isDue(batch: ProducerBatch | undefined, now: TimeNs): boolean {
  return batch !== undefined && batch.retryAtNs <= now;
}

/**
 * Kafka's RecordAccumulator.shouldStopDrainBatchesForPartition: an
 * idempotent retry waits until nothing of its partition is in flight, so it
 * is written before any later sequence; and a fresh batch does not start a
 * new producer id's sequence while batches under an older id are still in
 * flight, or it could land before them.
 */
function mustHoldForOrder(partition: ProducerPartition, batch: ProducerBatch, producerId: number): boolean {
  if (partition.inFlight.length === 0) return false;
  if (batch.attempts > 0) return true;
  if (batch.hasSequence) return false;
  for (let otherIndex = 0; otherIndex < partition.inFlight.length; otherIndex++) {
    if (partition.inFlight[otherIndex]!.producerId !== producerId) return true;
  }
  return false;
}
