/**
 * Kafka's ActionQueue for the purgatory checks a ProduceRequest unblocks.
 *
 * ReplicaManager.appendRecords appends every partition of the request first
 * and only then queues one action that runs delayedFetchPurgatory (and, when
 * the high watermark rose, delayedProducePurgatory) checkAndComplete for each
 * partition appended (addCompletePurgatoryAction); KafkaApis.handle runs the
 * queued actions when the request's handling ends (tryCompleteActions). So a
 * follower's fetch parked on two partitions of this leader wakes once, after
 * both appends, and its response carries both batches. Waking it after the
 * first partition would answer with one batch and cost a second fetch round
 * for the other: the model did that before, at a third more fetches than
 * produces in the 50k msg/s benchmark.
 *
 * Sources: apache/kafka core/src/main/scala/kafka/server/ReplicaManager.scala
 * (appendRecords, addCompletePurgatoryAction), KafkaApis.handle's finally
 * block, server/ActionQueue.java.
 */
import { assert } from "../../kernel/index.js";

/** A replica whose parked fetches a request's handling may unblock. */
export interface FetchWaker {
  completeParkedFetches(): void;
}

export class DelayedActions {
  private isDeferring = false;
  /** Replicas to check once the request is handled, each once, in the order first touched. */
  private readonly wakers: FetchWaker[] = [];

  /** A request's handling starts: purgatory checks wait for its end. */
  begin(): void {
    assert(!this.isDeferring, "a request's actions began inside another's");
    this.isDeferring = true;
  }

  /** True if the check was queued for the end of the request; false if the caller must run it now. */
  defer(waker: FetchWaker): boolean {
    if (!this.isDeferring) return false;
    if (!this.wakers.includes(waker)) this.wakers.push(waker);
    return true;
  }

  /** The request is handled: run the queued checks. */
  complete(): void {
    assert(this.isDeferring, "actions completed without a request");
    this.isDeferring = false;
    for (let index = 0; index < this.wakers.length; index++) this.wakers[index]!.completeParkedFetches();
    this.wakers.length = 0;
  }
}
