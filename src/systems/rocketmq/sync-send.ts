/**
 * One application thread's synchronous DefaultMQProducer.send(): the
 * attempts of sendDefaultImpl in CommunicationMode.SYNC, from the call to
 * the SendResult it returns or the exception it throws. One object per
 * sender thread, reused for each call (a thread is in one send() at a time).
 *
 * Sources (apache/rocketmq, 5.x):
 * - client/src/main/java/org/apache/rocketmq/client/impl/producer/DefaultMQProducerImpl.java,
 *   sendDefaultImpl: the route first (tryToFindTopicPublishInfo, asked of
 *   the NameServer when missing; without queues, MQClientException "No
 *   route info of this topic"); then up to timesTotal = 1 +
 *   retryTimesWhenSendFailed attempts, each on a queue chosen with the
 *   previous attempt's broker as lastBrokerName. Before each attempt,
 *   costTime = now − the call's start; past the timeout the loop stops
 *   (callTimeout). An attempt's timeout is what is left, capped by
 *   sendMsgMaxTimeoutPerRequest when another attempt may follow. A
 *   RemotingException (timeout, connection) or MQClientException (broker
 *   not in the route) moves on to the next attempt at once; an
 *   MQBrokerException does when its code is in retryResponseCodes, else it
 *   ends the send. A status other than SEND_OK is returned unless
 *   retryAnotherBrokerWhenNotStoreOK, which moves on instead; whenever the
 *   loop ends without SEND_OK, the last such result is returned if there was
 *   one, else the last exception is thrown. sendKernelImpl stamps
 *   bornTimestamp at each attempt.
 * - client/src/main/java/org/apache/rocketmq/client/producer/DefaultMQProducer.java:
 *   retryResponseCodes (those broker-protocol.ts has: SERVICE_NOT_AVAILABLE,
 *   SYSTEM_BUSY, NO_PERMISSION).
 * - client/src/main/java/org/apache/rocketmq/client/impl/MQClientAPIImpl.java,
 *   processSendResponse: SUCCESS → SEND_OK; FLUSH_DISK_TIMEOUT,
 *   FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE → the status of that name (the
 *   master stored the message); any other code → MQBrokerException.
 *
 * With sendLatencyFaultEnable every attempt's latency (or its failure) is
 * noted and queue choices pass over brokers that were slow or failed
 * (latency-fault-tolerance.ts). Not modelled: the TBW102 default-topic route, the broker
 * address table outliving the route (a broker's master is looked up in the
 * newest route).
 */
import { assert, NO_EVENT, type EventHandle, type Marks } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { LatencyFaultTolerance } from "./latency-fault-tolerance.js";
import type { BrokerChannels, BrokerFailure, BrokerWaiter } from "./broker-channels.js";
import type { BrokerResponse, SendCode, SendMessageRequest } from "./broker-protocol.js";
import type { RocketProducerConfig } from "./config.js";
import type { MessageQueue } from "./route.js";
import type { TopicPublishInfo } from "./topic-publish-info.js";

const NS_PER_MS = 1_000_000;

/** SendStatus: what a send() that did not throw returns. */
export type SendStatus = "SEND_OK" | "FLUSH_DISK_TIMEOUT" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE";

/** DefaultMQProducer.retryResponseCodes, as far as broker-protocol.ts has codes. */
const RETRY_CODES: ReadonlySet<SendCode> = new Set<SendCode>(["SERVICE_NOT_AVAILABLE", "SYSTEM_BUSY", "NO_PERMISSION"]);

/** The client's exception when the route has no queue to write (ClientErrorCode.NOT_FOUND_TOPIC_EXCEPTION). */
export const NO_ROUTE_ERROR = "NO_TOPIC_ROUTE_INFO";
/** sendKernelImpl's MQClientException when the queue's broker has no master address. */
export const BROKER_NOT_EXIST_ERROR = "BROKER_NOT_EXIST";

/** What a send() runs on: the producer's settings, connections and route. */
export interface SyncSendHost {
  readonly node: WorldNode;
  readonly channels: BrokerChannels;
  readonly config: RocketProducerConfig;
  readonly producerGroup: string;
  readonly topic: string;
  readonly bodyBytes: number;
  /** Coverage marks (the kernel's). */
  readonly marks: Marks;
  /** The producer's latency fault tolerance (null unless sendLatencyFaultEnable). */
  readonly faults: LatencyFaultTolerance | null;
  /** The topic's publish info now (null before the first route). */
  publishInfo(): TopicPublishInfo | null;
  /** The master node of `brokerName` in the newest route (findBrokerAddressInPublish), or null. */
  masterOf(brokerName: string): string | null;
  /** No usable route: ask the NameServer now (tryToFindTopicPublishInfo). */
  askRoute(): void;
  /** An attempt ended: null when it succeeded, else its error (the History's unavailability windows). */
  onAttempt(error: string | null): void;
  /** send() returned or threw (read the outcome off the SyncSend). */
  onReturn(send: SyncSend): void;
}

export class SyncSend implements BrokerWaiter {
  /** In a send() call. */
  isBusy = false;
  idFirst = 0;
  count = 0;
  /** The returned status, or null when send() threw. */
  status: SendStatus | null = null;
  /** The exception's name when send() threw (the last attempt's failure, or the call's timeout). */
  error = "";
  /**
   * When send() threw: the failure of the last attempt that may have stored
   * the message anyway (TIMEOUT or CONNECTION_LOST after its request was
   * written), "" when none may have (refusals, connections that never
   * opened, no route).
   */
  uncertainty = "";
  /** The queue of the returned result, else of the last attempt (null: none was chosen). */
  queue: MessageQueue | null = null;
  queueOffset = -1;
  /** The broker node of the returned result or of the last attempt ("" when none). */
  brokerNode = "";
  private info: TopicPublishInfo | null = null;
  private startNs = 0;
  private times = 0;
  private readonly timesTotal: number;
  private readonly timeoutNs: number;
  private readonly maxPerRequestNs: number;
  private lastBrokerName: string | null = null;
  /** When the attempt in flight was sent (its latency for the fault tolerance). */
  private attemptStartNs = 0;
  /** The queue and broker node of the last attempt, and of the last stored result. */
  private attemptQueue: MessageQueue | null = null;
  private attemptBroker = "";
  private resultQueue: MessageQueue | null = null;
  private resultBroker = "";
  private routeWait: EventHandle = NO_EVENT;
  private readonly onRouteWaitOverBound = (): void => this.onRouteWaitOver();

  constructor(
    private readonly host: SyncSendHost,
    /** The thread's index (its ThreadLocalIndex in a TopicPublishInfo). */
    readonly thread: number,
  ) {
    const config = host.config;
    this.timesTotal = 1 + config.retryTimesWhenSendFailed;
    this.timeoutNs = config.sendMsgTimeout * NS_PER_MS;
    this.maxPerRequestNs = config.sendMsgMaxTimeoutPerRequest < 0 ? -1 : config.sendMsgMaxTimeoutPerRequest * NS_PER_MS;
  }

  /** Waiting for a route before its first attempt. */
  get isWaitingForRoute(): boolean {
    return this.routeWait !== NO_EVENT;
  }

  /** The application calls send() with messages [idFirst, idFirst + count). */
  call(idFirst: number, count: number): void {
    assert(!this.isBusy, `rocketmq producer thread ${this.thread}: send() while in send()`);
    this.isBusy = true;
    this.idFirst = idFirst;
    this.count = count;
    this.status = null;
    this.error = "";
    this.uncertainty = "";
    this.queue = null;
    this.queueOffset = -1;
    this.brokerNode = "";
    this.startNs = this.host.node.now;
    this.times = 0;
    this.lastBrokerName = null;
    this.attemptQueue = null;
    this.attemptBroker = "";
    this.resultQueue = null;
    this.resultBroker = "";
    this.info = this.host.publishInfo();
    if (this.info !== null && this.info.isOk) return this.attempt();
    // tryToFindTopicPublishInfo: ask now; the wait counts against sendMsgTimeout, as costTime does.
    this.host.askRoute();
    this.routeWait = this.host.node.at(this.startNs + this.timeoutNs, this.onRouteWaitOverBound);
  }

  /** A route with queues arrived while waiting for one: the attempts begin. */
  onRouteKnown(): void {
    if (!this.isWaitingForRoute) return;
    this.host.node.cancel(this.routeWait);
    this.routeWait = NO_EVENT;
    this.info = this.host.publishInfo();
    this.attempt();
  }

  onBrokerAnswer(response: BrokerResponse): void {
    if (response.kind !== "SEND_MESSAGE_RESPONSE") return;
    const code = response.code;
    if (code === "SUCCESS" || code === "FLUSH_DISK_TIMEOUT" || code === "FLUSH_SLAVE_TIMEOUT" || code === "SLAVE_NOT_AVAILABLE") return this.onStored(code, response.queueOffset);
    this.noteLatency(true);
    this.host.onAttempt(code);
    this.error = code;
    if (RETRY_CODES.has(code)) return this.attempt();
    this.finish();
  }

  onBrokerFailure(failure: BrokerFailure, wasWritten: boolean): void {
    this.noteLatency(true);
    this.host.onAttempt(failure);
    this.error = failure;
    if (wasWritten) this.uncertainty = failure;
    this.attempt();
  }

  /** The master stored it: SEND_OK returns; another status returns too unless retryAnotherBrokerWhenNotStoreOK. */
  private onStored(code: SendCode, queueOffset: number): void {
    this.noteLatency(false);
    const status: SendStatus = code === "SUCCESS" ? "SEND_OK" : (code as SendStatus);
    this.host.onAttempt(status === "SEND_OK" ? null : status);
    this.status = status;
    this.queueOffset = queueOffset;
    this.resultQueue = this.attemptQueue;
    this.resultBroker = this.attemptBroker;
    if (status === "SEND_OK" || !this.host.config.retryAnotherBrokerWhenNotStoreOK) return this.finish();
    this.host.marks.hit("rocketmq.producer.retry-not-store-ok");
    this.attempt();
  }

  /** The next attempt, if attempts and time are left; attempts that cannot be sent fail at once. */
  private attempt(): void {
    const info = this.info!;
    for (;;) {
      if (this.times >= this.timesTotal) return this.finish();
      const leftNs = this.startNs + this.timeoutNs - this.host.node.now;
      if (leftNs <= 0) {
        // callTimeout: RemotingTooMuchRequestException, unless a result is there to return.
        this.host.marks.hit("rocketmq.producer.send-call-timeout");
        if (this.status === null) this.error = "TIMEOUT";
        return this.finish();
      }
      const faults = this.host.faults;
      const queue = faults === null ? info.select(this.thread, this.lastBrokerName) : info.selectAvoidingFaults(this.thread, faults, this.host.node.now);
      this.lastBrokerName = queue.brokerName;
      this.attemptQueue = queue;
      const attempt = this.times++;
      if (attempt > 0) this.host.marks.hit("rocketmq.producer.retry");
      const brokerNode = this.host.masterOf(queue.brokerName);
      this.attemptBroker = brokerNode ?? "";
      if (brokerNode === null) {
        this.attemptStartNs = this.host.node.now;
        this.noteLatency(true);
        this.host.onAttempt(BROKER_NOT_EXIST_ERROR);
        this.error = BROKER_NOT_EXIST_ERROR;
        continue;
      }
      const isLast = this.times >= this.timesTotal;
      const timeoutNs = this.maxPerRequestNs >= 0 && !isLast && leftNs > this.maxPerRequestNs ? this.maxPerRequestNs : leftNs;
      return this.sendAttempt(queue, brokerNode, attempt, timeoutNs);
    }
  }

  private sendAttempt(queue: MessageQueue, brokerNode: string, attempt: number, timeoutNs: number): void {
    const host = this.host;
    const now = host.node.now;
    this.attemptStartNs = now;
    const request: SendMessageRequest = {
      kind: "SEND_MESSAGE",
      requestId: host.channels.nextRequestId(),
      producerGroup: host.producerGroup,
      topic: host.topic,
      queueId: queue.queueId,
      idFirst: this.idFirst,
      count: this.count,
      bodyBytes: host.bodyBytes,
      bornNs: now,
      attempt,
    };
    host.channels.request(brokerNode, request, now + timeoutNs, this);
  }

  private onRouteWaitOver(): void {
    this.routeWait = NO_EVENT;
    this.host.onAttempt(NO_ROUTE_ERROR);
    this.error = NO_ROUTE_ERROR;
    this.finish();
  }

  /** updateFaultItem after an attempt: its latency, or isolation when it threw. */
  private noteLatency(isolation: boolean): void {
    const faults = this.host.faults;
    if (faults === null || this.attemptQueue === null) return;
    const now = this.host.node.now;
    faults.update(this.attemptQueue.brokerName, now - this.attemptStartNs, isolation, now);
  }

  /** send() returns the last stored result if there was one, else throws its last failure. */
  private finish(): void {
    this.queue = this.status === null ? this.attemptQueue : this.resultQueue;
    this.brokerNode = this.status === null ? this.attemptBroker : this.resultBroker;
    if (this.status !== null) this.error = "";
    this.isBusy = false;
    this.host.onReturn(this);
  }
}
