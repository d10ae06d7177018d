/**
 * A producing application on its own client node: messages arrive at a
 * constant rate and its sender threads hand them to a DefaultMQProducer
 * with the synchronous send() (sync-send.ts), one call per `messagesPerSend`
 * messages (a batch is one request, DefaultMQProducer.send(Collection)).
 * Arrivals that find every sender thread in send() wait in the
 * application's queue; at `stopNs` arrivals end and what still waits there
 * is dropped (no send() was called for it).
 *
 * The client library beside it: the topic's route from the NameServers
 * (route-poller.ts: asked at the first send, as tryToFindTopicPublishInfo
 * does, then every pollNameServerInterval), a connection per broker
 * (broker-channels.ts) and heartbeats to the masters (producer-heartbeat.ts).
 * Each process incarnation builds all of it afresh.
 *
 * History: a "send" when a thread calls send() (new ids from reserveIds),
 * a "send-result" when it returns or throws:
 * - SEND_OK → "ok", at `rocketStream(topic, brokerName, queueId)` and the
 *   queueOffset, server = the broker node;
 * - FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE →
 *   "unknown" with the status as error: the master stored it but did not
 *   promise to keep it;
 * - an exception → "unknown" when some attempt may have stored it, named by
 *   the last such failure (TIMEOUT or CONNECTION_LOST of a written
 *   request); else "error" (refusals, connections that never opened, no
 *   route), named by the exception send() threw (its last attempt's failure,
 *   TIMEOUT when the call ran out of time).
 * Every attempt that fails writes an "op-failed" (send), and the first that
 * succeeds after one an "op-ok", as the Kafka producer does: the
 * unavailability windows.
 *
 * resendOnNotOk (mqsim's application setting): after a status other than
 * SEND_OK, the thread calls send() again with the same messages, before
 * taking new ones. The resend is a new "send" of the same ids: the checks
 * take repeated sends of an id (send-index.ts ORs them and counts the id
 * acknowledged if any result was "ok"; history-metrics.ts keeps the first
 * send's time), and the same ids are the truth: the message is now
 * possibly stored twice, once by the first call, so a consumer that
 * receives both copies shows a duplicate (duplicated.ts), which is what
 * anomaly Q3 is about. Fresh ids would hide that duplicate as two
 * different messages. Resends also stop at `stopNs`, so a broker that keeps
 * answering FLUSH_SLAVE_TIMEOUT cannot keep the run from ending.
 */
import { assert, compareStrings, type Marks, type RngStream } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { BrokerChannels } from "./broker-channels.js";
import { DEFAULT_PRODUCER_CONFIG, type RocketProducerConfig } from "./config.js";
import { ProducerHeartbeat } from "./producer-heartbeat.js";
import { rocketStream } from "./rocket-stream.js";
import { brokerNodesOf, masterAddress, type TopicRouteData } from "./route.js";
import { LatencyFaultTolerance } from "./latency-fault-tolerance.js";
import { RoutePoller } from "./route-poller.js";
import { SyncSend, type SyncSendHost } from "./sync-send.js";
import { TopicPublishInfo } from "./topic-publish-info.js";
import type { RouteLog } from "./route-log.js";

export { rocketStream } from "./rocket-stream.js";

/** MixAll.DEFAULT_PRODUCER_GROUP. */
const DEFAULT_PRODUCER_GROUP = "DEFAULT_PRODUCER";

export interface RocketProducerWorkload {
  /** The client node's name; also the producer's name in the History. */
  name: string;
  producerGroup?: string;
  topic: string;
  messagesPerSecond: number;
  /** Messages per send() call: 1, or a batch sent as one request. */
  messagesPerSend: number;
  bodyBytes: number;
  /** Application threads calling the synchronous send() concurrently (default 1). */
  senderThreads?: number;
  config?: Partial<RocketProducerConfig>;
  /** The application calls send() again with the same messages when it returns a status other than SEND_OK. */
  resendOnNotOk?: boolean;
  /** When the application's first message arrives (default 0: at boot). A restart after it sends at once. */
  startNs?: number;
}

export interface RocketProducerOptions {
  world: World;
  workload: RocketProducerWorkload;
  /** The NameServers' node names (namesrvAddr). */
  namesrvNodes: readonly string[];
  history: History;
  /** No send() begins at or after this time. */
  stopNs: number;
  /** Where the run keeps the client's route changes (C11's stale routes). */
  routeLog?: RouteLog;
}

export class RocketProducer implements NodeSoftware, SyncSendHost {
  private readonly routeLog: RouteLog | null;
  readonly config: RocketProducerConfig;
  readonly producerGroup: string;
  readonly topic: string;
  readonly bodyBytes: number;
  readonly marks: Marks;
  private readonly world: World;
  private readonly workload: RocketProducerWorkload;
  private readonly history: History;
  private readonly stopNs: number;
  private readonly namesrvNodes: readonly string[];
  private readonly arrivalGapNs: number;
  private readonly threadCount: number;
  private readonly rng: RngStream;
  /** MQFaultStrategy's latency fault tolerance, one per producer instance (null unless sendLatencyFaultEnable). */
  faults: LatencyFaultTolerance | null = null;
  private nodeNow: WorldNode | null = null;
  private channelsNow: BrokerChannels | null = null;
  private poller: RoutePoller | null = null;
  private info: TopicPublishInfo | null = null;
  private threads: SyncSend[] = [];
  /** Threads not in send(), taken last-in first-out. */
  private idle: SyncSend[] = [];
  /** Arrivals waiting for a free thread. */
  private queued = 0;
  private isRouteAsked = false;
  /** The last attempt failed: the next success closes the unavailability window. */
  private isSendFailing = false;
  /** dispatch() is running: a send() that returns at once inside it leaves the loop to hand out its thread, rather than recursing. */
  private isDispatching = false;
  /** History stream names by brokerName, then queueId. */
  private readonly streams = new Map<string, string[]>();
  private readonly onArrivalBound = (): void => this.onArrival();
  private readonly onStopBound = (): void => this.onStop();

  constructor(options: RocketProducerOptions) {
    const { workload } = options;
    this.world = options.world;
    this.workload = workload;
    this.history = options.history;
    this.stopNs = options.stopNs;
    this.routeLog = options.routeLog ?? null;
    this.namesrvNodes = options.namesrvNodes;
    this.config = { ...DEFAULT_PRODUCER_CONFIG, ...workload.config };
    this.producerGroup = workload.producerGroup ?? DEFAULT_PRODUCER_GROUP;
    this.topic = workload.topic;
    this.bodyBytes = workload.bodyBytes;
    this.marks = options.world.kernel.marks;
    this.threadCount = workload.senderThreads ?? 1;
    assert(Number.isInteger(this.threadCount) && this.threadCount > 0, `rocketmq producer ${workload.name}: senderThreads must be a positive integer, got ${this.threadCount}`);
    assert(Number.isInteger(workload.messagesPerSend) && workload.messagesPerSend > 0, `rocketmq producer ${workload.name}: messagesPerSend must be a positive integer, got ${workload.messagesPerSend}`);
    assert(workload.messagesPerSecond >= 0, `rocketmq producer ${workload.name}: messagesPerSecond must be >= 0, got ${workload.messagesPerSecond}`);
    // A rate of 0 never sends (an infinite gap).
    this.arrivalGapNs = workload.messagesPerSecond > 0 ? Math.max(1, Math.round((workload.messagesPerSend / workload.messagesPerSecond) * 1e9)) : Number.POSITIVE_INFINITY;
    // Taken once per run: a stream name may be taken only once, and a restarted process draws on from where it was.
    this.rng = options.world.kernel.rng.stream(`rocketmq.producer:${workload.name}`);
  }

  get node(): WorldNode {
    return this.nodeNow!;
  }

  get channels(): BrokerChannels {
    return this.channelsNow!;
  }

  start(node: WorldNode): void {
    this.nodeNow = node;
    // Everything of the previous incarnation died with it, its sends unanswered.
    this.channelsNow = new BrokerChannels({ world: this.world, node, timeoutMark: "rocketmq.producer.request-timeout" });
    this.faults = this.config.sendLatencyFaultEnable ? new LatencyFaultTolerance(this.world.kernel.rng.stream(`rocketmq.producer.faults:${this.workload.name}#${node.incarnation}`)) : null;
    this.threads = Array.from({ length: this.threadCount }, (_, thread) => new SyncSend(this, thread));
    this.idle = [...this.threads].reverse();
    this.queued = 0;
    this.info = null;
    this.isRouteAsked = false;
    this.isSendFailing = false;
    this.isDispatching = false;
    this.poller = new RoutePoller({ world: this.world, node, nameServers: this.namesrvNodes, topics: [], config: this.config, onRoute: (topic, route) => this.onRoute(topic, route) });
    this.poller.start();
    const heartbeat = new ProducerHeartbeat({
      node,
      channels: this.channelsNow,
      clientId: `${node.name}@${node.incarnation}`,
      heartbeatBrokerIntervalMs: this.config.heartbeatBrokerInterval,
      mqClientApiTimeoutMs: this.config.mqClientApiTimeout,
      masters: () => this.masters(),
    });
    heartbeat.start();
    if (node.now >= this.stopNs || this.arrivalGapNs === Number.POSITIVE_INFINITY) return;
    node.after(Math.max(0, (this.workload.startNs ?? 0) - node.now), this.onArrivalBound);
    node.at(this.stopNs, this.onStopBound);
  }

  /** Nothing queued and no send() in progress (or the process is down: nothing of it can finish). */
  isIdle(): boolean {
    const node = this.nodeNow;
    return node === null || !node.isUp || (this.queued === 0 && this.idle.length === this.threads.length);
  }

  publishInfo(): TopicPublishInfo | null {
    return this.info;
  }

  masterOf(brokerName: string): string | null {
    return this.info === null ? null : masterAddress(this.info.route, brokerName);
  }

  /**
   * A send() without a usable route asks the NameServer at once, every time
   * (tryToFindTopicPublishInfo → updateTopicRouteInfoFromNameServer); the
   * first also makes the topic one the poller follows.
   */
  askRoute(): void {
    if (!this.isRouteAsked) {
      this.isRouteAsked = true;
      this.poller!.addTopic(this.topic);
      return;
    }
    this.poller!.askNow(this.topic);
  }

  onAttempt(error: string | null): void {
    const now = this.node.now;
    if (error !== null) {
      this.isSendFailing = true;
      this.history.record({ type: "op-failed", timeNs: now, client: this.workload.name, op: "send", error });
      return;
    }
    if (!this.isSendFailing) return;
    this.isSendFailing = false;
    this.history.record({ type: "op-ok", timeNs: now, client: this.workload.name, op: "send" });
  }

  onReturn(send: SyncSend): void {
    this.recordResult(send);
    const isResend = this.workload.resendOnNotOk === true && send.status !== null && send.status !== "SEND_OK" && this.node.now < this.stopNs;
    if (isResend) {
      this.marks.hit("rocketmq.producer.resend-not-ok");
      this.world.kernel.trace.record("rocketmq.producer.resend", this.workload.name, send.idFirst, send.count);
      return this.callSend(send, send.idFirst);
    }
    this.idle.push(send);
    this.dispatch();
  }

  private recordResult(send: SyncSend): void {
    const status = send.status;
    const outcome = status === "SEND_OK" ? "ok" : status !== null || send.uncertainty !== "" ? "unknown" : "error";
    const queue = send.queue;
    const stream = queue === null ? this.topic : this.streamOf(queue.brokerName, queue.queueId);
    // "unknown" names why it may be stored; "error" names the exception send() threw.
    const error = status === "SEND_OK" ? "" : status !== null ? status : outcome === "unknown" ? send.uncertainty : send.error;
    if (outcome !== "ok") this.marks.hit(outcome === "unknown" ? "rocketmq.producer.result-unknown" : "rocketmq.producer.result-error");
    const { idFirst, count, brokerNode } = send;
    const position = status === null ? -1 : send.queueOffset;
    const timeNs = this.node.now;
    const client = this.workload.name;
    // Without a spread: this runs for every message.
    if (brokerNode === "") this.history.record({ type: "send-result", timeNs, client, idFirst, count, outcome, stream, position, error });
    else this.history.record({ type: "send-result", timeNs, client, idFirst, count, outcome, stream, position, error, server: brokerNode });
  }

  /** The queue's History stream, its name built once (every result names one). */
  private streamOf(brokerName: string, queueId: number): string {
    let names = this.streams.get(brokerName);
    if (names === undefined) {
      names = [];
      this.streams.set(brokerName, names);
    }
    return (names[queueId] ??= rocketStream(this.topic, brokerName, queueId));
  }

  private onArrival(): void {
    const node = this.node;
    if (node.now >= this.stopNs) return;
    this.queued++;
    this.dispatch();
    if (node.now + this.arrivalGapNs < this.stopNs) node.after(this.arrivalGapNs, this.onArrivalBound);
  }

  /** Arrivals end; those still waiting for a thread are dropped, never handed to send(). */
  private onStop(): void {
    if (this.queued > 0) this.world.kernel.trace.record("rocketmq.producer.dropped-at-stop", this.workload.name, this.queued);
    this.queued = 0;
  }

  private dispatch(): void {
    if (this.isDispatching) return;
    this.isDispatching = true;
    while (this.queued > 0 && this.idle.length > 0) {
      this.queued--;
      this.callSend(this.idle.pop()!, this.history.reserveIds(this.workload.messagesPerSend));
    }
    this.isDispatching = false;
  }

  private callSend(send: SyncSend, idFirst: number): void {
    const count = this.workload.messagesPerSend;
    this.history.record({ type: "send", timeNs: this.node.now, client: this.workload.name, idFirst, count });
    send.call(idFirst, count);
  }

  private onRoute(topic: string, route: TopicRouteData): void {
    if (topic !== this.topic) return;
    this.routeLog?.routeSeen(this.workload.name, this.world.kernel.now, brokerNodesOf(route));
    this.info = new TopicPublishInfo(route, topic, this.threadCount, this.rng);
    if (!this.info.isOk) return;
    for (const send of this.threads) if (send.isWaitingForRoute) send.onRouteKnown();
  }

  /** The masters of the route, in brokerName order (the brokers a producer heartbeats). */
  private masters(): string[] {
    const route = this.info?.route;
    if (route === undefined) return [];
    const names = route.brokerDatas.map((data) => data.brokerName).sort(compareStrings);
    const masters: string[] = [];
    for (const name of names) {
      const master = masterAddress(route, name);
      if (master !== null && !masters.includes(master)) masters.push(master);
    }
    return masters;
  }
}
