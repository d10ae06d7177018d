/**
 * A producer's writable queues of one topic and its choice of queue for an
 * attempt: TopicPublishInfo with MQFaultStrategy.selectOneMessageQueue,
 * with sendLatencyFaultEnable off (the default: `select`) or on
 * (`selectAvoidingFaults`, latency-fault-tolerance.ts).
 *
 * Sources (apache/rocketmq, 5.x):
 * - client/src/main/java/org/apache/rocketmq/client/impl/producer/TopicPublishInfo.java:
 *   the queue list (topicRouteData2TopicPublishInfo, route.ts publishQueues);
 *   a choice advances a counter and takes queue `counter % size`; with a
 *   filter it advances up to `size` times for a queue the filter passes.
 * - client/src/main/java/org/apache/rocketmq/client/common/ThreadLocalIndex.java:
 *   the counter is per application thread, starts at a random int on the
 *   thread's first choice, is incremented as an int (wrapping) and read
 *   masked to 31 bits.
 * - client/src/main/java/org/apache/rocketmq/client/latency/MQFaultStrategy.java:
 *   the filter rejects queues of lastBrokerName (the broker of the previous
 *   attempt of this send); when every queue is that broker's, one more
 *   unfiltered choice is taken. resetIndex acts only with
 *   sendLatencyFaultEnable, so it is not here.
 * - client/src/main/java/org/apache/rocketmq/client/impl/factory/MQClientInstance.java:
 *   every changed route builds a new TopicPublishInfo, whose counters start
 *   afresh; a send keeps the one it started with for all its attempts.
 */
import type { RngStream } from "../../kernel/index.js";
import type { LatencyFaultTolerance } from "./latency-fault-tolerance.js";
import { publishQueues, type MessageQueue, type TopicRouteData } from "./route.js";

/** ThreadLocalIndex's POSITIVE_MASK. */
const POSITIVE_MASK = 0x7fffffff;

export class TopicPublishInfo {
  readonly queues: readonly MessageQueue[];
  /** Each sender thread's counter; an Int32Array wraps on overflow as a Java int does. */
  private readonly counters: Int32Array;
  /** 1 once a thread has drawn its counter's start. */
  private readonly isStarted: Uint8Array;

  constructor(
    readonly route: TopicRouteData,
    topic: string,
    threads: number,
    private readonly rng: RngStream,
  ) {
    this.queues = publishQueues(route, topic);
    this.counters = new Int32Array(threads);
    this.isStarted = new Uint8Array(threads);
  }

  /** TopicPublishInfo.ok(): there is a queue to write. */
  get isOk(): boolean {
    return this.queues.length > 0;
  }

  /** The queue for `thread`'s next attempt, avoiding `lastBrokerName` when another broker has a queue. */
  select(thread: number, lastBrokerName: string | null): MessageQueue {
    const queues = this.queues;
    if (lastBrokerName !== null) {
      for (let tries = 0; tries < queues.length; tries++) {
        const queue = queues[this.incrementAndGet(thread) % queues.length]!;
        if (queue.brokerName !== lastBrokerName) return queue;
      }
    }
    return queues[this.incrementAndGet(thread) % queues.length]!;
  }

  /**
   * sendLatencyFaultEnable: from the thread's next position, the first queue
   * whose broker is available; else a queue of the broker pickOneAtLeast
   * names (one with no write queue here is dropped from the table); else a
   * plain choice. lastBrokerName plays no part (MQFaultStrategy ignores it then).
   */
  selectAvoidingFaults(thread: number, faults: LatencyFaultTolerance, nowNs: number): MessageQueue {
    const queues = this.queues;
    const index = this.incrementAndGet(thread);
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[Math.abs((index + i) | 0) % queues.length]!;
      if (faults.isAvailable(queue.brokerName, nowNs)) return queue;
    }
    const notBest = faults.pickOneAtLeast(nowNs);
    if (notBest !== null) {
      const writeQueueNums = queues.reduce((count, queue) => count + (queue.brokerName === notBest ? 1 : 0), 0);
      if (writeQueueNums > 0) {
        this.incrementAndGet(thread);
        return { topic: queues[0]!.topic, brokerName: notBest, queueId: this.incrementAndGet(thread) % writeQueueNums };
      }
      faults.remove(notBest);
    }
    return queues[this.incrementAndGet(thread) % queues.length]!;
  }

  /** ThreadLocalIndex.incrementAndGet: the start is Random.nextInt(), any int. */
  private incrementAndGet(thread: number): number {
    if (this.isStarted[thread] === 0) {
      this.isStarted[thread] = 1;
      this.counters[thread] = this.rng.u32() | 0;
    }
    this.counters[thread]! += 1;
    return this.counters[thread]! & POSITIVE_MASK;
  }
}
