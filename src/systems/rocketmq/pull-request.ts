/**
 * One queue a push consumer has taken (DefaultMQPushConsumerImpl's
 * PullRequest): which queue, its cache, and where the next pull starts.
 * The rebalance makes one when it takes a queue and drops its cache when it
 * gives the queue up; the pull loop, the consume threads and the offset
 * store all refer to the queue through it.
 *
 * Source (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * impl/consumer/PullRequest.java.
 */
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { ProcessQueue } from "./process-queue.js";
import type { MessageQueue } from "./route.js";

/** A queue and its History stream name (rocket-stream.ts), built once per queue taken. */
export interface QueueRef {
  readonly queue: MessageQueue;
  readonly stream: string;
}

export class PullRequest implements QueueRef {
  /** The next pull's timer (a delayed pull), so a dropped queue's is cancelled; NO_EVENT while none waits. */
  timer: EventHandle = NO_EVENT;

  constructor(
    readonly queue: MessageQueue,
    readonly stream: string,
    readonly processQueue: ProcessQueue,
    /** Where the next pull starts (nextOffset). */
    public nextOffset: number,
  ) {}
}
