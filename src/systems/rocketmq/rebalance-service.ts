/**
 * A push consumer's rebalance in clustering mode: which of the topic's
 * queues this member pulls. One service thread (RebalanceService) runs it
 * at start, every rebalanceInterval (20 s), a second later when the last
 * run was not balanced, and at once when woken (a broker's
 * NOTIFY_CONSUMER_IDS_CHANGED, a connection to a broker opening, an
 * illegal offset), never within minInterval (1 s) of the last run.
 *
 * A run (RebalanceImpl.rebalanceByTopic, CLUSTERING): ask one broker of the
 * topic for the group's client ids (findConsumerIdList: a random broker
 * group of the route, its master if there, else a random member), sort the
 * queues and the ids, take this client's slice (AllocateMessageQueueAveragely),
 * then updateProcessQueueTableInRebalance:
 * - a queue no longer allocated is dropped: its pulls stop, results of its
 *   messages being consumed are ignored, its offset is sent to the broker
 *   (persist) and forgotten;
 * - a queue newly allocated gets its start offset (computePullFromWhere,
 *   one queue after another, each a synchronous call): the group's offset
 *   on the broker (QUERY_CONSUMER_OFFSET to the master, else any member);
 *   QUERY_NOT_FOUND → consumeFromWhere: CONSUME_FROM_LAST_OFFSET asks the
 *   master for the queue's max offset (GET_MAX_OFFSET), CONSUME_FROM_FIRST_OFFSET
 *   takes 0. A failed call leaves the queue out until the next run. Its
 *   pulls start 500 ms later.
 * A run that changed anything heartbeats every broker (messageQueueChanged).
 *
 * What a brand-new group does: the client never sets setZeroIfNotFound, so
 * a broker that has no offset for the group answers SUCCESS with offset 0
 * while the queue's first message (minOffset ≤ 0) is still in memory
 * (ConsumerManageProcessor.queryConsumerOffset, checkInMemByConsumeOffset):
 * a new group reads a young queue from its start whatever consumeFromWhere
 * says; QUERY_NOT_FOUND, and with it consumeFromWhere, applies only once
 * the queue's head has been deleted or paged out. That is the broker's
 * answer; this side follows it.
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * impl/consumer/RebalanceService.java (waitInterval, minInterval),
 * RebalanceImpl.java (doRebalance, rebalanceByTopic,
 * updateProcessQueueTableInRebalance), RebalancePushImpl.java
 * (removeUnnecessaryMessageQueue, computePullFromWhereWithException,
 * dispatchPullRequest, messageQueueChanged), impl/factory/MQClientInstance.java
 * (findConsumerIdList, findBrokerAddrByTopic, findBrokerAddressInSubscribe),
 * consumer/store/RemoteBrokerOffsetStore.java (fetchConsumeOffsetFromBroker),
 * impl/MQAdminImpl.java (maxOffset: the master only, 6 s),
 * remoting/.../protocol/route/BrokerData.java (selectBrokerAddr),
 * broker/.../processor/ConsumerManageProcessor.java (queryConsumerOffset).
 * Not modelled: dropping a queue whose pulls stalled for 120 s
 * (isPullExpired: every pull here ends within its 30 s deadline).
 */
import { compareStrings, NO_EVENT, type EventHandle, type Marks, type RngStream } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { allocateAveragely, compareMessageQueues } from "./allocate-averagely.js";
import type { AnsweredRequest } from "./consumer-channel.js";
import type { BrokerResponse } from "./broker-protocol.js";
import type { ConsumeFromWhere } from "./config.js";
import type { OffsetStore } from "./offset-store.js";
import { ProcessQueue } from "./process-queue.js";
import { PullRequest, type QueueRef } from "./pull-request.js";
import { rocketStream } from "./rocket-stream.js";
import { findBrokerAddressInSubscribe, masterAddress, MASTER_ID, subscribeQueues, type MessageQueue, type TopicRouteData } from "./route.js";

const NS_PER_MS = 1_000_000;
/** RebalanceService's minInterval (rocketmq.client.rebalance.minInterval): 1 s between runs at least. */
const MIN_INTERVAL_NS = 1_000 * NS_PER_MS;
/** RemoteBrokerOffsetStore.fetchConsumeOffsetFromBroker's timeout (1000 * 5). */
const QUERY_OFFSET_TIMEOUT_NS = 5_000 * NS_PER_MS;
/** MQAdminImpl.timeoutMillis, GET_MAX_OFFSET's timeout. */
const MAX_OFFSET_TIMEOUT_NS = 6_000 * NS_PER_MS;
/** updateProcessQueueTableInRebalance: dispatchPullRequest(pullRequestList, 500). */
const PULL_DISPATCH_DELAY_NS = 500 * NS_PER_MS;

/** What the rebalance needs of its consumer process. */
export interface RebalanceHost {
  readonly node: WorldNode;
  readonly offsets: OffsetStore;
  /** The queues held (processQueueTable), by stream. */
  readonly table: Map<string, PullRequest>;
  route(): TopicRouteData | undefined;
  nextRequestId(): number;
  /** A synchronous call to a broker node: the answer or failure comes back through onAnswer / onFailure. */
  call(brokerAddr: string, request: AnsweredRequest, context: QueueRef | null, timeoutNs: number): void;
  /** A queue given up: its pulls stop (the process queue is already dropped). */
  stopPulling(request: PullRequest): void;
  startPulling(requests: readonly PullRequest[], delayNs: number): void;
  heartbeatAll(): void;
}

export interface RebalanceOptions {
  clientId: string;
  group: string;
  topic: string;
  rebalanceIntervalNs: number;
  mqClientApiTimeoutNs: number;
  consumeFromWhere: ConsumeFromWhere;
  /** findBrokerAddrByTopic's random choice. */
  rng: RngStream;
  marks: Marks;
}

/** One run in progress: it waits for one answer at a time. */
interface RebalanceRun {
  route: TopicRouteData;
  awaitedId: number;
  allocated: MessageQueue[];
  adds: MessageQueue[];
  addIndex: number;
  added: PullRequest[];
  isChanged: boolean;
}

export class RebalanceService {
  private run: RebalanceRun | null = null;
  private lastRebalanceNs = 0;
  /** A wake-up while a run was going (the service thread's hasNotified): the next wait ends at once. */
  private isWakeOwed = false;
  private timer: EventHandle = NO_EVENT;
  private runs = 0;
  private readonly onWaitEndBound = (): void => this.onWaitEnd();

  constructor(
    private readonly host: RebalanceHost,
    private readonly options: RebalanceOptions,
  ) {}

  /** Rebalances completed so far. */
  get completedRuns(): number {
    return this.runs;
  }

  /** The service thread starts (its last-run time is now) and the consumer's start wakes it. */
  start(): void {
    this.lastRebalanceNs = this.host.node.now;
    this.wake();
  }

  /** rebalanceImmediately. */
  wake(): void {
    if (this.run !== null) {
      this.isWakeOwed = true;
      return;
    }
    this.host.node.cancel(this.timer);
    this.onWaitEnd();
  }

  onAnswer(request: AnsweredRequest, answer: BrokerResponse): void {
    const run = this.run;
    if (run === null || request.requestId !== run.awaitedId) return;
    run.awaitedId = -1;
    switch (answer.kind) {
      case "GET_CONSUMER_LIST_RESPONSE":
        return this.allocate(run, answer.clientIds);
      case "QUERY_CONSUMER_OFFSET_RESPONSE":
        return this.onStoredOffset(run, answer.code === "SUCCESS" ? answer.offset : -1);
      case "GET_MAX_OFFSET_RESPONSE":
        return this.addQueue(run, answer.offset);
      default:
        return;
    }
  }

  onFailure(request: AnsweredRequest): void {
    const run = this.run;
    if (run === null || request.requestId !== run.awaitedId) return;
    run.awaitedId = -1;
    // No client ids (findConsumerIdList returns null): the run ends, counted as balanced.
    if (request.kind === "GET_CONSUMER_LIST_BY_GROUP") {
      this.options.marks.hit("rocketmq.consumer.consumer-list-failed");
      return this.finish(true);
    }
    this.addFailed(run);
  }

  private onWaitEnd(): void {
    this.timer = NO_EVENT;
    const now = this.host.node.now;
    if (now - this.lastRebalanceNs < MIN_INTERVAL_NS) {
      this.timer = this.host.node.at(this.lastRebalanceNs + MIN_INTERVAL_NS, this.onWaitEndBound);
      return;
    }
    this.begin();
  }

  private begin(): void {
    const route = this.host.route();
    const brokerAddr = route === undefined ? null : this.findBrokerAddrByTopic(route);
    // No route or no broker in it: nothing to ask, the queues stay as they are.
    if (route === undefined || brokerAddr === null) return this.finish(true);
    const requestId = this.host.nextRequestId();
    this.run = { route, awaitedId: requestId, allocated: [], adds: [], addIndex: 0, added: [], isChanged: false };
    this.host.call(brokerAddr, { kind: "GET_CONSUMER_LIST_BY_GROUP", requestId, consumerGroup: this.options.group }, null, this.options.mqClientApiTimeoutNs);
  }

  /** findBrokerAddrByTopic: a random broker group of the route, its master if listed, else a random member. */
  private findBrokerAddrByTopic(route: TopicRouteData): string | null {
    if (route.brokerDatas.length === 0) return null;
    const brokerData = this.options.rng.pick(route.brokerDatas);
    if (brokerData.brokerAddrs.length === 0) return null;
    const master = brokerData.brokerAddrs.find(([id]) => id === MASTER_ID);
    return master !== undefined ? master[1] : this.options.rng.pick(brokerData.brokerAddrs)[1];
  }

  private allocate(run: RebalanceRun, clientIds: readonly string[]): void {
    const { clientId, topic } = this.options;
    const mqAll = subscribeQueues(run.route, topic).sort(compareMessageQueues);
    const cidAll = [...clientIds].sort(compareStrings);
    const allocated = allocateAveragely(clientId, mqAll, cidAll);
    if (allocated === null) {
      this.options.marks.hit("rocketmq.consumer.allocate-nothing-to-divide");
      return this.finish(false);
    }
    run.allocated = allocated;
    const wanted = new Set(allocated.map((queue) => streamOf(queue)));
    for (const [stream, request] of [...this.host.table]) {
      if (wanted.has(stream)) continue;
      this.removeQueue(request);
      run.isChanged = true;
    }
    run.adds = allocated.filter((queue) => !this.host.table.has(streamOf(queue)));
    this.nextAdd(run);
  }

  /** removeUnnecessaryMessageQueue: dropped, its offset persisted and forgotten. */
  private removeQueue(request: PullRequest): void {
    request.processQueue.isDropped = true;
    this.host.table.delete(request.stream);
    this.host.stopPulling(request);
    this.host.offsets.persist(request.stream);
    this.host.offsets.remove(request.stream);
  }

  private nextAdd(run: RebalanceRun): void {
    if (run.addIndex >= run.adds.length) return this.endRun(run);
    const queue = run.adds[run.addIndex]!;
    const stream = streamOf(queue);
    // removeDirtyOffset: whatever this client remembered of the queue is stale.
    this.host.offsets.remove(stream);
    const route = this.host.route() ?? run.route;
    const found = findBrokerAddressInSubscribe(route, queue.brokerName, MASTER_ID, true) ?? findBrokerAddressInSubscribe(route, queue.brokerName, MASTER_ID, false);
    if (found === null) return this.addFailed(run);
    const requestId = this.host.nextRequestId();
    run.awaitedId = requestId;
    const request: AnsweredRequest = { kind: "QUERY_CONSUMER_OFFSET", requestId, consumerGroup: this.options.group, topic: queue.topic, queueId: queue.queueId };
    this.host.call(found.brokerAddr, request, { queue, stream }, QUERY_OFFSET_TIMEOUT_NS);
  }

  /** readOffset(READ_FROM_STORE) answered: the offset (kept in the store), or -1 for QUERY_NOT_FOUND. */
  private onStoredOffset(run: RebalanceRun, offset: number): void {
    const queue = run.adds[run.addIndex]!;
    if (offset >= 0) {
      this.host.offsets.update({ queue, stream: streamOf(queue) }, offset, false);
      return this.addQueue(run, offset);
    }
    if (this.options.consumeFromWhere === "CONSUME_FROM_FIRST_OFFSET") return this.addQueue(run, 0);
    const master = masterAddress(this.host.route() ?? run.route, queue.brokerName);
    if (master === null) return this.addFailed(run);
    const requestId = this.host.nextRequestId();
    run.awaitedId = requestId;
    this.host.call(master, { kind: "GET_MAX_OFFSET", requestId, topic: queue.topic, queueId: queue.queueId }, { queue, stream: streamOf(queue) }, MAX_OFFSET_TIMEOUT_NS);
  }

  private addQueue(run: RebalanceRun, offset: number): void {
    if (offset < 0) return this.addFailed(run);
    const queue = run.adds[run.addIndex]!;
    const request = new PullRequest(queue, streamOf(queue), new ProcessQueue(), offset);
    this.host.table.set(request.stream, request);
    run.added.push(request);
    run.isChanged = true;
    run.addIndex++;
    this.nextAdd(run);
  }

  /** computePullFromWhere failed: the queue is not taken this time (the run is then not balanced). */
  private addFailed(run: RebalanceRun): void {
    this.options.marks.hit("rocketmq.consumer.add-queue-failed");
    run.addIndex++;
    this.nextAdd(run);
  }

  private endRun(run: RebalanceRun): void {
    this.host.startPulling(run.added, PULL_DISPATCH_DELAY_NS);
    if (run.isChanged) this.host.heartbeatAll();
    const isBalanced = run.allocated.length === this.host.table.size && run.allocated.every((queue) => this.host.table.has(streamOf(queue)));
    this.finish(isBalanced);
  }

  private finish(isBalanced: boolean): void {
    this.run = null;
    this.runs++;
    this.lastRebalanceNs = this.host.node.now;
    if (this.isWakeOwed) {
      this.isWakeOwed = false;
      return this.onWaitEnd();
    }
    this.timer = this.host.node.after(isBalanced ? this.options.rebalanceIntervalNs : MIN_INTERVAL_NS, this.onWaitEndBound);
  }
}

function streamOf(queue: MessageQueue): string {
  return rocketStream(queue.topic, queue.brokerName, queue.queueId);
}
