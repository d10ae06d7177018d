/**
 * One incarnation of a push consumer's process: the client instance
 * (MQClientInstance: routes, connections, heartbeats, the rebalance
 * service, the offset persister) and the consumer itself
 * (DefaultMQPushConsumerImpl: its queues, pulls, consume threads and
 * offsets). Everything here is memory: a crash loses it, and the next
 * incarnation starts over from the NameServer's route, the brokers' member
 * lists and the offsets the brokers kept.
 *
 * Schedules (MQClientInstance.startScheduledTask): the route poll 10 ms
 * after start, then every pollNameServerInterval; heartbeats to every broker
 * of the route (masters and slaves: group membership lives on them) 1 s
 * after start, then every heartbeatBrokerInterval, and once at start as
 * soon as the route is known (DefaultMQPushConsumerImpl.start sends one
 * before it wakes the rebalance); offsets persisted 10 s after start, then
 * every persistConsumerOffsetInterval. A connection that opens to a broker
 * of the route gets a heartbeat and, once it is answered, wakes the
 * rebalance (the ChannelEventListener's onChannelActive, on by default in
 * 5.x: enableHeartbeatChannelEventListener) — unless a heartbeat is under
 * way, whose lock (lockHeartbeat.tryLock) makes it skip: a connection opened
 * by a heartbeat round does not wake the rebalance.
 *
 * History "commit" records: every offset written to a broker, whether by
 * UPDATE_CONSUMER_OFFSET (persistAll, a queue given up, an illegal offset)
 * or as a pull's commitOffset, unless it repeats the last one recorded for
 * that queue and broker. Both reach the broker's table (the pull's
 * overwrites it as the update's does), so the latest record per queue is
 * where a restarted group resumes if that broker received it.
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * impl/factory/MQClientInstance.java, impl/consumer/DefaultMQPushConsumerImpl.java
 * (start, persistConsumerOffset), consumer/store/RemoteBrokerOffsetStore.java
 * (updateConsumeOffsetToBroker: findBrokerAddressInSubscribe(brokerName,
 * MASTER_ID, false), so the master, or a slave while the master is out of the
 * route), impl/ClientRemotingProcessor.java (notifyConsumerIdsChanged).
 */
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { History } from "../../history/history.js";
import { compareStrings } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { ConsumerChannel, type AnsweredRequest, type ConsumerChannelListener } from "./consumer-channel.js";
import type { BrokerRequest, BrokerResponse, NotifyConsumerIdsChanged } from "./broker-protocol.js";
import type { RocketConsumerConfig } from "./config.js";
import { ConsumePool } from "./consume-pool.js";
import { OffsetStore, type OffsetSender } from "./offset-store.js";
import { PullService, type PullHost } from "./pull-service.js";
import type { PullRequest, QueueRef } from "./pull-request.js";
import { RebalanceService, type RebalanceHost } from "./rebalance-service.js";
import { brokerNodesOf, findBrokerAddressInSubscribe, MASTER_ID, type TopicRouteData } from "./route.js";
import { RoutePoller } from "./route-poller.js";
import type { RouteLog } from "./route-log.js";

const NS_PER_MS = 1_000_000;
/** startScheduledTask: the first heartbeat 1 s after start. */
const FIRST_HEARTBEAT_DELAY_NS = 1_000 * NS_PER_MS;
/** startScheduledTask: the first persistAllConsumerOffset 10 s after start. */
const FIRST_PERSIST_DELAY_NS = 10_000 * NS_PER_MS;

/** A heartbeat sent because a connection opened: its answer wakes the rebalance. */
const CHANNEL_ACTIVE = "channel-active";
/** What a request carries back to its sender: the pull's queue, the queue of an offset call, or a heartbeat's cause. */
export type RequestContext = PullRequest | QueueRef | typeof CHANNEL_ACTIVE | null;

export interface PushConsumerProcessOptions {
  world: World;
  node: WorldNode;
  clientId: string;
  group: string;
  topic: string;
  processNsPerMessage: number;
  config: RocketConsumerConfig;
  namesrvNodes: readonly string[];
  history: History;
  idempotentConsumer: IdempotentConsumer | null;
  routeLog: RouteLog | null;
}

export class PushConsumerProcess implements RebalanceHost, PullHost, OffsetSender, ConsumerChannelListener<RequestContext> {
  readonly node: WorldNode;
  readonly table = new Map<string, PullRequest>();
  readonly offsets: OffsetStore;
  readonly pool: ConsumePool;
  readonly rebalance: RebalanceService;
  private readonly pulls: PullService;
  private readonly poller: RoutePoller;
  private readonly channels = new Map<string, ConsumerChannel<RequestContext>>();
  /** The last offset recorded as a commit per stream, and the broker it went to. */
  private readonly lastCommits = new Map<string, { offset: number; brokerAddr: string }>();
  private requestIdNext = 1;
  private hasRoute = false;
  /** Heartbeats awaiting their answers: while any does, lockHeartbeat is held. */
  private heartbeatsAwaited = 0;
  private readonly onHeartbeatTickBound = (): void => this.onHeartbeatTick();
  private readonly onPersistTickBound = (): void => this.onPersistTick();

  constructor(private readonly options: PushConsumerProcessOptions) {
    const { world, node, config } = options;
    this.node = node;
    this.offsets = new OffsetStore(this);
    this.pool = new ConsumePool({
      node,
      history: options.history,
      client: options.clientId,
      group: options.group,
      processNsPerMessage: options.processNsPerMessage,
      idempotentConsumer: options.idempotentConsumer,
      onConsumed: (request, offset, count) => this.onConsumed(request, offset, count),
    });
    this.pulls = new PullService(this, config, options.group, world.kernel.marks);
    this.rebalance = new RebalanceService(this, {
      clientId: options.clientId,
      group: options.group,
      topic: options.topic,
      rebalanceIntervalNs: config.rebalanceInterval * NS_PER_MS,
      mqClientApiTimeoutNs: config.mqClientApiTimeout * NS_PER_MS,
      consumeFromWhere: config.consumeFromWhere,
      rng: world.kernel.rng.stream(`rocketmq.consumer.rebalance:${node.name}:${node.incarnation}`),
      marks: world.kernel.marks,
    });
    this.poller = new RoutePoller({ world, node, nameServers: options.namesrvNodes, topics: [options.topic], config, onRoute: (_, route) => this.onRoute(route) });
  }

  start(): void {
    this.poller.start();
    this.rebalance.start();
    this.node.after(FIRST_HEARTBEAT_DELAY_NS, this.onHeartbeatTickBound);
    this.node.after(FIRST_PERSIST_DELAY_NS, this.onPersistTickBound);
  }

  /** An orderly stop (DefaultMQPushConsumerImpl.shutdown): every held queue's offset goes to the brokers. */
  shutdown(): void {
    this.offsets.persistAll((stream) => this.table.has(stream));
  }

  route(): TopicRouteData | undefined {
    return this.poller.routeOf(this.options.topic);
  }

  nextRequestId(): number {
    return this.requestIdNext++;
  }

  /** Nothing cached in the queues held and no consume thread busy. */
  isIdle(): boolean {
    if (!this.pool.isIdle) return false;
    for (const request of this.table.values()) if (!request.processQueue.isEmpty) return false;
    return true;
  }

  /** The queues held and how far each is consumed: everything below the offset is done. */
  consumedOffsets(): { stream: string; offset: number }[] {
    const offsets: { stream: string; offset: number }[] = [];
    for (const request of this.table.values()) {
      const processQueue = request.processQueue;
      offsets.push({ stream: request.stream, offset: processQueue.isEmpty ? request.nextOffset : processQueue.firstOffset });
    }
    return offsets.sort((a, b) => compareStrings(a.stream, b.stream));
  }

  // ---------------------------------------------------------------- hosts' calls

  call(brokerAddr: string, request: AnsweredRequest, context: QueueRef | null, timeoutNs: number): void {
    this.channel(brokerAddr).request(request, context, timeoutNs, true);
  }

  callAsync(brokerAddr: string, request: AnsweredRequest, context: PullRequest, timeoutNs: number): void {
    this.channel(brokerAddr).request(request, context, timeoutNs, false);
  }

  startPulling(requests: readonly PullRequest[], delayNs: number): void {
    for (const request of requests) this.pulls.pullLater(request, delayNs);
  }

  stopPulling(request: PullRequest): void {
    this.pulls.stop(request);
  }

  /** removeProcessQueue (whatever cache the table holds for the queue now), then rebalanceImmediately. */
  requeue(request: PullRequest): void {
    const held = this.table.get(request.stream);
    if (held !== undefined) {
      held.processQueue.isDropped = true;
      this.table.delete(request.stream);
      this.pulls.stop(held);
      this.offsets.persist(request.stream);
      this.offsets.remove(request.stream);
    }
    this.rebalance.wake();
  }

  heartbeatAll(): void {
    const route = this.route();
    if (route === undefined) return;
    for (const brokerData of route.brokerDatas) for (const [, brokerAddr] of brokerData.brokerAddrs) this.heartbeat(brokerAddr, null);
  }

  updateConsumeOffsetToBroker(ref: QueueRef, offset: number): void {
    const route = this.route();
    const found = route === undefined ? null : findBrokerAddressInSubscribe(route, ref.queue.brokerName, MASTER_ID, false);
    if (found === null) {
      this.options.world.kernel.marks.hit("rocketmq.consumer.offset-no-broker");
      return;
    }
    const { group } = this.options;
    this.channel(found.brokerAddr).oneway({ kind: "UPDATE_CONSUMER_OFFSET", consumerGroup: group, topic: ref.queue.topic, queueId: ref.queue.queueId, commitOffset: offset }, ref);
  }

  // ---------------------------------------------------------------- connections' events

  onOpen(brokerAddr: string): void {
    if (this.heartbeatsAwaited === 0 && this.isInRoute(brokerAddr)) this.heartbeat(brokerAddr, CHANNEL_ACTIVE);
  }

  onAnswer(request: AnsweredRequest, answer: BrokerResponse, context: RequestContext): void {
    if (answer.kind === "PULL_MESSAGE_RESPONSE") return this.pulls.onAnswer(context as PullRequest, answer);
    if (answer.kind === "HEART_BEAT_RESPONSE") {
      this.heartbeatsAwaited--;
      if (context === CHANNEL_ACTIVE) this.rebalance.wake();
      return;
    }
    this.rebalance.onAnswer(request, answer);
  }

  onFailure(request: AnsweredRequest, context: RequestContext): void {
    if (request.kind === "PULL_MESSAGE") return this.pulls.onFailure(context as PullRequest);
    if (request.kind === "HEART_BEAT") {
      this.heartbeatsAwaited--;
      return;
    }
    this.rebalance.onFailure(request);
  }

  onNotify(message: NotifyConsumerIdsChanged): void {
    if (message.consumerGroup !== this.options.group) return;
    this.options.world.kernel.marks.hit("rocketmq.consumer.notified-ids-changed");
    this.rebalance.wake();
  }

  onWritten(message: BrokerRequest, context: RequestContext, brokerAddr: string): void {
    let offset = -1;
    if (message.kind === "UPDATE_CONSUMER_OFFSET") offset = message.commitOffset;
    else if (message.kind === "PULL_MESSAGE") offset = message.commitOffset;
    if (offset < 0 || context === null || context === CHANNEL_ACTIVE) return;
    const last = this.lastCommits.get(context.stream);
    if (last !== undefined && last.offset === offset && last.brokerAddr === brokerAddr) return;
    if (last === undefined) this.lastCommits.set(context.stream, { offset, brokerAddr });
    else {
      last.offset = offset;
      last.brokerAddr = brokerAddr;
    }
    const { history, clientId, group } = this.options;
    history.record({ type: "commit", timeNs: this.node.now, client: clientId, group, stream: context.stream, position: offset });
  }

  // ---------------------------------------------------------------- internals

  private onRoute(route: TopicRouteData): void {
    this.options.routeLog?.routeSeen(this.options.clientId, this.node.now, brokerNodesOf(route));
    if (this.hasRoute) return;
    this.hasRoute = true;
    // DefaultMQPushConsumerImpl.start: the route, then a heartbeat to every broker, then the rebalance.
    if (route.brokerDatas.length > 0) this.heartbeatAll();
  }

  /** processConsumeResult: the messages leave the cache; the offset moves up to what the cache allows. */
  private onConsumed(request: PullRequest, offset: number, count: number): void {
    const commit = request.processQueue.remove(offset, count);
    if (commit >= 0) this.offsets.update(request, commit, true);
  }

  private onHeartbeatTick(): void {
    this.heartbeatAll();
    this.node.after(this.options.config.heartbeatBrokerInterval * NS_PER_MS, this.onHeartbeatTickBound);
  }

  private onPersistTick(): void {
    this.offsets.persistAll((stream) => this.table.has(stream));
    this.node.after(this.options.config.persistConsumerOffsetInterval * NS_PER_MS, this.onPersistTickBound);
  }

  private heartbeat(brokerAddr: string, context: typeof CHANNEL_ACTIVE | null): void {
    const { clientId, group, topic, config } = this.options;
    const request: AnsweredRequest = { kind: "HEART_BEAT", requestId: this.nextRequestId(), clientId, consumerGroups: [{ group, topics: [topic] }] };
    this.heartbeatsAwaited++;
    this.channel(brokerAddr).request(request, context, config.mqClientApiTimeout * NS_PER_MS, true);
  }

  private isInRoute(brokerAddr: string): boolean {
    const route = this.route();
    return route !== undefined && route.brokerDatas.some((data) => data.brokerAddrs.some(([, addr]) => addr === brokerAddr));
  }

  private channel(brokerAddr: string): ConsumerChannel<RequestContext> {
    let channel = this.channels.get(brokerAddr);
    if (channel === undefined) {
      channel = new ConsumerChannel<RequestContext>(this.options.world, this.node, brokerAddr, this);
      this.channels.set(brokerAddr, channel);
    }
    return channel;
  }
}
