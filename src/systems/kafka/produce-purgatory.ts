/**
 * One partition's share of Kafka's DelayedProduce purgatory: the produces
 * its leader appended but may not answer yet — acks=all until the high
 * watermark covers them, and any acks whose append triggered a synchronous
 * flush (log.flush.interval.messages) until that flush is done — each
 * answered then, or REQUEST_TIMED_OUT when its timeout (the producer's
 * request.timeout.ms) runs out first.
 */
import type { Marks } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { DeadlineList } from "../../world/deadline-timer.js";
import type { ProduceAnswer } from "./produce-answer.js";
import type { KafkaError } from "./protocol.js";

export interface PendingProduce {
  /** The request it is part of, and which part. */
  answer: ProduceAnswer;
  part: number;
  baseOffset: number;
  endOffset: number;
  /** acks=all waits for the high watermark; acks=1 only for its flush, if it triggered one. */
  requiresHighWatermark: boolean;
  /** The log end offset this write's flush must reach before it is answered (0: it triggered none). */
  flushEndOffset: number;
  /** When the request's timeout runs out. */
  deadlineNs: number;
}

export class ProducePurgatory {
  private readonly pending: DeadlineList<PendingProduce>;

  constructor(node: WorldNode, marks: Marks) {
    this.pending = new DeadlineList(node, (produce) => {
      marks.hit("kafka.produce.timeout");
      answer(produce, "REQUEST_TIMED_OUT");
    });
  }

  add(produce: PendingProduce): void {
    this.pending.add(produce);
  }

  /**
   * Answers the produces whose high watermark (acks=all) and flush are both
   * done: NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND for acks=all when the ISR
   * is now below min.insync.replicas (Kafka's DelayedProduce checks it on completion).
   */
  answerSettled(highWatermark: number, flushedEndOffset: number, isIsrTooSmall: boolean): void {
    const still: PendingProduce[] = [];
    const items = this.pending.items;
    for (let index = 0; index < items.length; index++) {
      const produce = items[index]!;
      const isReplicated = !produce.requiresHighWatermark || produce.endOffset <= highWatermark;
      if (!isReplicated || produce.flushEndOffset > flushedEndOffset) {
        still.push(produce);
        continue;
      }
      answer(produce, produce.requiresHighWatermark && isIsrTooSmall ? "NOT_ENOUGH_REPLICAS_AFTER_APPEND" : "NONE");
    }
    this.pending.items = still;
  }

  /** Answers every waiting produce with `error` (the replica is no longer the leader). */
  answerAll(error: KafkaError): void {
    for (const produce of this.pending.takeAll()) answer(produce, error);
  }
}

function answer(produce: PendingProduce, error: KafkaError): void {
  produce.answer.answer(produce.part, error, produce.baseOffset);
}
