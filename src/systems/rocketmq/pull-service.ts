/**
 * A push consumer's pull loop, one per queue it holds
 * (DefaultMQPushConsumerImpl.pullMessage and its PullCallback): a push
 * consumer is a pull consumer that always has one pull in flight per queue,
 * held by the broker until messages arrive (long polling,
 * brokerSuspendMaxTimeMillis = 15 s) and given up by the client after 30 s
 * (CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND).
 *
 * - Flow control: more than pullThresholdForQueue messages cached, or a
 *   span over consumeConcurrentlyMaxSpan (2000) between the first and last
 *   cached offsets (a slow message holding the commit back), delays the
 *   pull by 50 ms.
 * - Where: findBrokerAddressInSubscribe(brokerName, the broker id the last
 *   answer suggested, false): the master by default, a slave when the master
 *   suggested one, and the lowest slave while the master is out of the route
 *   (so a consumer keeps reading a group whose master died — if the slave
 *   serves reads: a 5.x slave without slaveReadEnable rejects every pull
 *   with SYSTEM_BUSY, PullMessageProcessor.rejectRequest, and the consumer
 *   retries every 3 s until the master is back).
 * - The pull carries the queue's offset to commit (commitOffset) when it has
 *   one above 0 and goes to the master (a slave does not store offsets: the
 *   flag is cleared).
 * - FOUND: the messages go to the process queue and the consume threads,
 *   and the next pull goes at once from nextBeginOffset. NO_NEW_MSG /
 *   NO_MATCHED_MSG: pull again at once from nextBeginOffset; an empty cache
 *   moves the offset to it (correctTagsOffset).
 * - OFFSET_ILLEGAL (the broker has no such offset: the queue is shorter, as
 *   after a master lost its tail, or its head was deleted): the offset
 *   becomes nextBeginOffset, frozen, and is sent to the broker; the queue is
 *   dropped and the rebalance woken, which takes it again from the broker's
 *   offset. After a master lost messages, offsets move back, and new
 *   messages take the offsets the lost ones had.
 * - An error answer (SYSTEM_BUSY: MQClientAPIImpl.processPullResponse
 *   throws MQBrokerException for any code but the four statuses) or a
 *   timeout: the next pull 3 s later (pullTimeDelayMillsWhenException); the
 *   suggested broker id stays as it was.
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * impl/consumer/DefaultMQPushConsumerImpl.java (pullMessage, correctTagsOffset,
 * the constants), PullAPIWrapper.java (processPullResult, updatePullFromWhichNode,
 * recalculatePullFromWhichNode, pullKernelImpl: clearCommitOffsetFlag for a
 * slave), consumer/DefaultMQPushConsumer.java (consumeConcurrentlyMaxSpan,
 * pullInterval 0). Not modelled: pause/suspend, the cached-size threshold,
 * broker FLOW_CONTROL answers (20 ms).
 */
import { NO_EVENT, type Marks } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { AnsweredRequest } from "./consumer-channel.js";
import type { PullMessageRequest, PullMessageResponse } from "./broker-protocol.js";
import type { RocketConsumerConfig } from "./config.js";
import type { ConsumePool } from "./consume-pool.js";
import type { OffsetStore } from "./offset-store.js";
import type { PullRequest } from "./pull-request.js";
import { findBrokerAddressInSubscribe, MASTER_ID, type TopicRouteData } from "./route.js";

const NS_PER_MS = 1_000_000;
/** PULL_TIME_DELAY_MILLS_WHEN_CACHE_FLOW_CONTROL. */
const FLOW_CONTROL_DELAY_NS = 50 * NS_PER_MS;
/** pullTimeDelayMillsWhenException. */
const EXCEPTION_DELAY_NS = 3_000 * NS_PER_MS;
/** CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND: a pull's deadline. */
const PULL_TIMEOUT_NS = 30_000 * NS_PER_MS;
/** DefaultMQPushConsumer.consumeConcurrentlyMaxSpan. */
const CONSUME_CONCURRENTLY_MAX_SPAN = 2_000;

/** What the pull loop needs of its consumer process. */
export interface PullHost {
  readonly node: WorldNode;
  readonly offsets: OffsetStore;
  readonly pool: ConsumePool;
  route(): TopicRouteData | undefined;
  nextRequestId(): number;
  /** An asynchronous call (its timeout fails only itself). */
  callAsync(brokerAddr: string, request: AnsweredRequest, context: PullRequest, timeoutNs: number): void;
  /** removeProcessQueue, then rebalanceImmediately (the illegal-offset fix). */
  requeue(request: PullRequest): void;
}

export class PullService {
  /** pullFromWhichNodeTable: the broker id each queue's last answer suggested, by stream. */
  private readonly suggestedBrokerIds = new Map<string, number>();
  private readonly onTimerBound = (request: PullRequest): void => {
    request.timer = NO_EVENT;
    this.pullMessage(request);
  };

  constructor(
    private readonly host: PullHost,
    private readonly config: RocketConsumerConfig,
    private readonly group: string,
    private readonly marks: Marks,
  ) {}

  /** executePullRequestLater. */
  pullLater(request: PullRequest, delayNs: number): void {
    this.host.node.cancel(request.timer);
    request.timer = this.host.node.after(delayNs, this.onTimerBound, request);
  }

  /** A dropped queue's waiting pull is cancelled (pullMessage would return at once anyway). */
  stop(request: PullRequest): void {
    this.host.node.cancel(request.timer);
    request.timer = NO_EVENT;
  }

  pullMessage(request: PullRequest): void {
    const processQueue = request.processQueue;
    if (processQueue.isDropped) return;
    if (processQueue.messageCount > this.config.pullThresholdForQueue || processQueue.maxSpan > CONSUME_CONCURRENTLY_MAX_SPAN) {
      this.marks.hit("rocketmq.consumer.pull-flow-control");
      return this.pullLater(request, FLOW_CONTROL_DELAY_NS);
    }
    const route = this.host.route();
    const { queue } = request;
    const found = route === undefined ? null : findBrokerAddressInSubscribe(route, queue.brokerName, this.suggestedBrokerIds.get(request.stream) ?? MASTER_ID, false);
    if (found === null) {
      this.marks.hit("rocketmq.consumer.pull-no-broker");
      return this.pullLater(request, EXCEPTION_DELAY_NS);
    }
    if (found.isSlave) this.marks.hit("rocketmq.consumer.pull-from-slave");
    const stored = this.host.offsets.read(request.stream);
    const pull: PullMessageRequest = {
      kind: "PULL_MESSAGE",
      requestId: this.host.nextRequestId(),
      consumerGroup: this.group,
      topic: queue.topic,
      queueId: queue.queueId,
      queueOffset: request.nextOffset,
      maxMsgNums: this.config.pullBatchSize,
      commitOffset: stored > 0 && !found.isSlave ? stored : -1,
      suspendTimeoutMillis: this.config.brokerSuspendMaxTimeMillis,
    };
    this.host.callAsync(found.brokerAddr, pull, request, PULL_TIMEOUT_NS);
  }

  onAnswer(request: PullRequest, answer: PullMessageResponse): void {
    // The queue was given up meanwhile: the answer changes nothing (its next pull would return at once).
    if (request.processQueue.isDropped) return;
    if (answer.code === "SYSTEM_BUSY") return this.onFailure(request);
    this.suggestedBrokerIds.set(request.stream, answer.suggestWhichBrokerId);
    switch (answer.code) {
      case "FOUND":
        request.nextOffset = answer.nextBeginOffset;
        for (const range of answer.ranges) request.processQueue.put(range.queueOffset, range.count);
        if (answer.ranges.length > 0) this.host.pool.submit(request, answer.ranges);
        return this.pullMessage(request);
      case "NO_NEW_MSG":
      case "NO_MATCHED_MSG":
        request.nextOffset = answer.nextBeginOffset;
        if (request.processQueue.isEmpty) this.host.offsets.update(request, request.nextOffset, true);
        return this.pullMessage(request);
      case "OFFSET_ILLEGAL":
        return this.fixOffset(request, answer.nextBeginOffset);
    }
  }

  onFailure(request: PullRequest): void {
    this.marks.hit("rocketmq.consumer.pull-failed");
    this.pullLater(request, EXCEPTION_DELAY_NS);
  }

  /** OFFSET_ILLEGAL's task: freeze the offset at nextBeginOffset, tell the broker, drop the queue, rebalance. */
  private fixOffset(request: PullRequest, nextBeginOffset: number): void {
    this.marks.hit("rocketmq.consumer.offset-illegal");
    request.nextOffset = nextBeginOffset;
    request.processQueue.isDropped = true;
    this.host.offsets.updateAndFreeze(request, nextBeginOffset);
    this.host.offsets.persist(request.stream);
    this.host.requeue(request);
  }
}
