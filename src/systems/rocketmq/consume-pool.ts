/**
 * The push consumer's consume threads (ConsumeMessageConcurrentlyService):
 * a pool of consumeThreadMin (20) threads shared by all the queues it
 * holds, fed in pull order from an unbounded queue. Every pulled message is
 * its own consume request (consumeMessageBatchMaxSize = 1): the listener is
 * handed one message, works processNsPerMessage on it, applies its side
 * effect and returns CONSUME_SUCCESS; then the message leaves its process
 * queue, which gives the offset to commit.
 *
 * What the History sees: a "deliver" when a thread hands messages to the
 * listener, an "effect" when the listener has applied them (through the
 * group's IdempotentConsumer when there is one: it applies each message
 * id once across redeliveries, as a processed-ids table in the effect's own
 * database would).
 *
 * A request whose queue was dropped before a thread took it is skipped
 * (ConsumeRequest.run checks isDropped first); one whose queue was dropped
 * while the listener ran still has its effect, but its result is ignored
 * (processConsumeResult is skipped): the offset does not move, and the
 * queue's next owner consumes the message again.
 *
 * Threads that start at the same instant on consecutive messages of one
 * pulled range take equal time and end together, so they are one task
 * here, n threads wide: one event, one deliver and one effect record for n
 * messages, the same times as n separate threads.
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * impl/consumer/ConsumeMessageConcurrentlyService.java (submitConsumeRequest,
 * ConsumeRequest.run, processConsumeResult), consumer/DefaultMQPushConsumer.java
 * (consumeThreadMin 20, consumeMessageBatchMaxSize 1). Not modelled:
 * RECONSUME_LATER and the retry topic (the listener never fails), the
 * 15-minute consumeTimeout cleaner.
 */
import { RingQueue } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { WorldNode } from "../../world/node.js";
import type { PulledRange } from "./message-store.js";
import type { PullRequest } from "./pull-request.js";

/** DefaultMQPushConsumer.consumeThreadMin: the pool's size (its queue is unbounded, so it never grows to consumeThreadMax). */
export const CONSUME_THREADS = 20;

export interface ConsumePoolOptions {
  node: WorldNode;
  history: History;
  client: string;
  group: string;
  processNsPerMessage: number;
  idempotentConsumer: IdempotentConsumer | null;
  /** processConsumeResult: consumed messages leave their process queue (called only while it is not dropped). */
  onConsumed(request: PullRequest, offset: number, count: number): void;
}

/** Consecutive messages of one queue waiting for threads, or being consumed by `count` of them. */
interface ConsumeTask {
  request: PullRequest;
  offset: number;
  idFirst: number;
  count: number;
}

export class ConsumePool {
  private freeThreads = CONSUME_THREADS;
  private readonly waiting = new RingQueue<ConsumeTask>(16);
  private readonly onDoneBound = (task: ConsumeTask): void => this.onDone(task);

  constructor(private readonly options: ConsumePoolOptions) {}

  /** No message waits for a thread and no thread is consuming. */
  get isIdle(): boolean {
    return this.waiting.isEmpty && this.freeThreads === CONSUME_THREADS;
  }

  /** submitConsumeRequest: a pull's messages, one request each, behind what is already waiting. */
  submit(request: PullRequest, ranges: readonly PulledRange[]): void {
    for (const range of ranges) {
      if (range.count > 0) this.waiting.push({ request, offset: range.queueOffset, idFirst: range.idFirst, count: range.count });
    }
    this.dispatch();
  }

  /** Free threads take waiting messages in order; a dropped queue's are skipped. */
  private dispatch(): void {
    while (this.freeThreads > 0 && !this.waiting.isEmpty) {
      const head = this.waiting.peek()!;
      if (head.request.processQueue.isDropped) {
        this.waiting.shift();
        continue;
      }
      const width = Math.min(this.freeThreads, head.count);
      let task = head;
      if (width === head.count) this.waiting.shift();
      else {
        task = { request: head.request, offset: head.offset, idFirst: head.idFirst, count: width };
        head.offset += width;
        head.idFirst += width;
        head.count -= width;
      }
      this.freeThreads -= width;
      this.start(task);
    }
  }

  private start(task: ConsumeTask): void {
    const { node, history, client, group, processNsPerMessage } = this.options;
    history.record({ type: "deliver", timeNs: node.now, client, group, stream: task.request.stream, position: task.offset, idFirst: task.idFirst, count: task.count });
    node.after(processNsPerMessage, this.onDoneBound, task);
  }

  private onDone(task: ConsumeTask): void {
    const { node, history, client, group, idempotentConsumer } = this.options;
    this.freeThreads += task.count;
    const now = node.now;
    if (idempotentConsumer === null) history.record({ type: "effect", timeNs: now, client, group, idFirst: task.idFirst, count: task.count });
    else for (const range of idempotentConsumer.apply(task.idFirst, task.count)) history.record({ type: "effect", timeNs: now, client, group, idFirst: range.idFirst, count: range.count });
    if (!task.request.processQueue.isDropped) this.options.onConsumed(task.request, task.offset, task.count);
    this.dispatch();
  }
}
