/**
 * ActiveMQ client applications on the failover transport
 * (failover-connection.ts; docs/research/activemq-facts.md §2, §3, §6):
 *
 * - a producer sends at its rate, one message at a time on its session: a
 *   persistent message outside a transaction is a sync send (the call waits
 *   for the broker's Response, also across a failover, where it is sent
 *   again); a non-persistent one, or any with useAsyncSend, is async (fire
 *   and forget: the history marks its outcome unknown; while the failover
 *   transport is disconnected the send blocks until it reconnects, and one
 *   lost in a dead socket is not sent again);
 * - a consumer registers on its queue with its prefetch (1000), processes
 *   what is dispatched one at a time, and acknowledges each after its
 *   processing (AUTO_ACKNOWLEDGE); on a lost connection it drops what it had
 *   prefetched and not processed, and its acks while disconnected are lost,
 *   so the broker dispatches those messages again (duplicates unless the
 *   consumer is idempotent).
 */
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { FailoverConnection, type FailoverOptions } from "./failover-connection.js";
import type { OpenWireCommand } from "./openwire.js";

const NS_PER_SECOND = 1_000_000_000;
const NS_PER_MS = 1_000_000;
/** CLIENT_ACKNOWLEDGE: an application idle this long acknowledges what it consumed. */
const ACKNOWLEDGE_IDLE_NS = NS_PER_SECOND;

export interface ActiveMqProducerWorkload {
  name: string;
  destination: string;
  /** A producer without a fixed destination (session.createProducer(null)): it sends to these in turn (destination is ignored). */
  destinations?: readonly string[];
  brokers: readonly string[];
  /** The failover URI's reconnect options (default FAILOVER_DEFAULTS). */
  failover?: FailoverOptions;
  messagesPerSecond: number;
  bodyBytes: number;
  /** DeliveryMode.PERSISTENT (the default): a sync send. */
  persistent?: boolean;
  /** A transacted session: commit() after this many messages (TransactedProducer). */
  messagesPerTransaction?: number;
  /** ActiveMQConnectionFactory.useAsyncSend: persistent sends are async too. */
  useAsyncSend?: boolean;
  /** When the application starts sending (default: at its boot). */
  startNs?: number;
}

/** The application's first message: one interval after it starts sending (startNs, or at once). */
export function firstArrivalDelayNs(workload: ActiveMqProducerWorkload, nowNs: number): number {
  return Math.max(0, (workload.startNs ?? 0) - nowNs) + Math.round(NS_PER_SECOND / workload.messagesPerSecond);
}

export class ActiveMqProducer implements NodeSoftware {
  private node: WorldNode | null = null;
  private connection: FailoverConnection | null = null;
  private queued = 0;
  private inFlightId = -1;
  private inFlightDestination = "";
  private sequenceNext = 0;
  /** An unavailability window is open: the transport was lost and no send has succeeded since. */
  private isSendFailing = false;
  private readonly onArrivalBound = (): void => this.onArrival();

  constructor(
    private readonly world: World,
    private readonly workload: ActiveMqProducerWorkload,
    private readonly history: History,
    /** No send begins at or after this time. */
    private readonly stopNs: number,
  ) {}

  start(node: WorldNode): void {
    this.node = node;
    this.queued = 0;
    this.inFlightId = -1;
    this.sequenceNext = 0;
    this.isSendFailing = false;
    this.connection = FailoverConnection.open(this.world, node, this.workload.brokers, {
      onRestore: () => this.sendNext(),
      onCommand: (command) => this.onCommand(command),
      onInterrupted: () => this.onInterrupted(),
    }, this.workload.failover);
    node.after(firstArrivalDelayNs(this.workload, node.now), this.onArrivalBound);
  }

  /** Nothing queued and no send in flight (or the process is down: nothing of it can finish). */
  isIdle(): boolean {
    const node = this.node;
    return node === null || !node.isUp || (this.queued === 0 && this.inFlightId < 0);
  }

  private get producerId(): string {
    return `${this.node!.name}#${this.node!.incarnation}`;
  }

  private get isPersistent(): boolean {
    return this.workload.persistent ?? true;
  }

  /** ActiveMQSession.send: sync unless non-persistent or useAsyncSend (no transactions here). */
  private get isSyncSend(): boolean {
    return this.isPersistent && !(this.workload.useAsyncSend ?? false);
  }

  private onArrival(): void {
    const node = this.node!;
    if (node.now >= this.stopNs) return;
    this.queued++;
    this.sendNext();
    node.after(Math.round(NS_PER_SECOND / this.workload.messagesPerSecond), this.onArrivalBound);
  }

  private sendNext(): void {
    if (this.inFlightId >= 0 || this.queued === 0) return;
    // An async send blocks while the failover transport reconnects (its timeout is -1).
    if (!this.isSyncSend && !this.connection!.isOpen) return;
    this.queued--;
    const now = this.node!.now;
    const id = this.history.reserveIds(1);
    const sequence = this.sequenceNext++;
    const { name, bodyBytes } = this.workload;
    const destination = this.destinationOf(sequence);
    this.history.record({ type: "send", timeNs: now, client: name, idFirst: id, count: 1 });
    const command = { kind: "MESSAGE" as const, commandId: sequence, destination, producerId: this.producerId, sequence, id, bodyBytes, persistent: this.isPersistent, responseRequired: this.isSyncSend };
    if (!this.isSyncSend) {
      this.connection!.oneway(command);
      this.history.record({ type: "send-result", timeNs: now, client: name, idFirst: id, count: 1, outcome: "unknown", stream: destination, position: -1, error: "ASYNC_SEND" });
      // An async send that left on a working transport is the application's send succeeding.
      if (this.isSendFailing) {
        this.isSendFailing = false;
        this.history.record({ type: "op-ok", timeNs: now, client: name, op: "send" });
      }
      return this.sendNext();
    }
    this.inFlightId = id;
    this.inFlightDestination = destination;
    this.connection!.request(command);
  }

  private destinationOf(sequence: number): string {
    const { destinations } = this.workload;
    return destinations === undefined ? this.workload.destination : destinations[sequence % destinations.length]!;
  }

  /**
   * The transport to the master was lost (closed, or silent past the
   * inactivity monitor's limit): the application's sends now wait for a
   * reconnection, which opens an unavailability window until one succeeds
   * (only while the workload still sends).
   */
  private onInterrupted(): void {
    const node = this.node!;
    if (this.isSendFailing || node.now >= this.stopNs || !this.connection!.hasEverOpened) return;
    this.isSendFailing = true;
    this.history.record({ type: "op-failed", timeNs: node.now, client: this.workload.name, op: "send", error: "TRANSPORT_INTERRUPTED" });
  }

  private onCommand(command: OpenWireCommand): void {
    if (command.kind !== "RESPONSE" || this.inFlightId < 0) return;
    // A store failure the broker reports (an SQLException: the statement's fate unknown, it may have committed) is indeterminate.
    const outcome = command.error === "" ? "ok" : command.error === "SQLException" ? "unknown" : "error";
    const now = this.node!.now;
    this.history.record({ type: "send-result", timeNs: now, client: this.workload.name, idFirst: this.inFlightId, count: 1, outcome, stream: this.inFlightDestination, position: -1, error: command.error });
    const { name } = this.workload;
    if (outcome === "ok" && this.isSendFailing) {
      this.isSendFailing = false;
      this.history.record({ type: "op-ok", timeNs: now, client: name, op: "send" });
    }
    this.inFlightId = -1;
    this.sendNext();
  }
}

export interface ActiveMqConsumerWorkload {
  name: string;
  destination: string;
  brokers: readonly string[];
  /** The failover URI's reconnect options (default FAILOVER_DEFAULTS). */
  failover?: FailoverOptions;
  /** ActiveMQPrefetchPolicy: 1000 for a queue. */
  prefetch?: number;
  processNsPerMessage: number;
  /**
   * CLIENT_ACKNOWLEDGE: the application calls message.acknowledge() after
   * every this many messages, acknowledging all it consumed since the last
   * call, and once it has been idle for a second with some unacknowledged
   * (a batch consumer's usual flush). Absent: each message is acknowledged
   * after its processing (AUTO).
   */
  acknowledgeEvery?: number;
  /** The application's listener throws on every message whose id is a multiple of this (a poison message), each time it gets it. */
  failEvery?: number;
  /** RedeliveryPolicy: redeliveries before a poison ack (maximumRedeliveries 6) and the delay before each (redeliveryDelay 1000 ms). */
  redeliveryPolicy?: RedeliveryPolicy;
}

interface Delivery {
  messageId: string;
  id: number;
  redelivered: boolean;
}

export interface RedeliveryPolicy {
  maximumRedeliveries: number;
  /** ms */
  redeliveryDelay: number;
}

/** client/RedeliveryPolicy.java's defaults (useExponentialBackOff false). */
export const REDELIVERY_POLICY_DEFAULTS: Readonly<RedeliveryPolicy> = Object.freeze({ maximumRedeliveries: 6, redeliveryDelay: 1_000 });

export class ActiveMqConsumer implements NodeSoftware {
  private node: WorldNode | null = null;
  private connection: FailoverConnection | null = null;
  /** Dispatched, not yet processed (the prefetch buffer), head first. */
  private buffer: Delivery[] = [];
  private isProcessing = false;
  private commandIdNext = 0;
  /** Consumed, not yet acknowledged (CLIENT_ACKNOWLEDGE between acknowledge() calls). */
  private unacknowledged: string[] = [];
  private lastProcessedNs = 0;
  /** Deliveries of each failing message so far (the session's redelivery count). */
  private readonly failures = new Map<string, number>();
  /** Bumped when the connection is lost or the process starts: a redelivery scheduled before is stale. */
  private epoch = 0;
  private isStalled = false;

  constructor(
    private readonly world: World,
    private readonly workload: ActiveMqConsumerWorkload,
    private readonly history: History,
    /** The application's durable processed-ids store, shared by its consumers (null: it applies every delivery). */
    private readonly idempotentConsumer: IdempotentConsumer | null = null,
  ) {}

  start(node: WorldNode): void {
    this.node = node;
    this.buffer = [];
    this.isProcessing = false;
    this.unacknowledged = [];
    this.failures.clear();
    this.isStalled = false;
    this.epoch++;
    this.connection = FailoverConnection.open(this.world, node, this.workload.brokers, {
      onRestore: () => this.subscribe(),
      onCommand: (command) => this.onCommand(command),
      // clearMessagesInProgress: the prefetched messages not yet processed are dropped; the broker gives them again.
      // The consumed, unacknowledged ones go back too (the broker redelivers all it dispatched and was not acked).
      onInterrupted: () => {
        this.buffer = [];
        this.unacknowledged = [];
        this.isStalled = false;
        this.epoch++;
      },
    }, this.workload.failover);
  }

  /** Consumed and nothing buffered or under way. */
  isIdle(): boolean {
    return this.buffer.length === 0 && !this.isProcessing && !this.isStalled;
  }

  private get consumerId(): string {
    return `${this.node!.name}#${this.node!.incarnation}`;
  }

  private subscribe(): void {
    this.connection!.request({ kind: "CONSUMER_INFO", commandId: this.commandIdNext++, consumerId: this.consumerId, destination: this.workload.destination, prefetch: this.workload.prefetch ?? 1_000 });
  }

  private onCommand(command: OpenWireCommand): void {
    if (command.kind !== "DISPATCH") return;
    this.buffer.push({ messageId: command.messageId, id: command.id, redelivered: command.redeliveryCounter > 0 });
    this.processNext();
  }

  private processNext(): void {
    if (this.isProcessing || this.isStalled || this.buffer.length === 0) return;
    this.isProcessing = true;
    this.node!.after(this.workload.processNsPerMessage, this.onProcessed);
  }

  private readonly onProcessed = (): void => {
    this.isProcessing = false;
    const delivery = this.buffer.shift();
    if (delivery === undefined) return;
    const now = this.node!.now;
    const { name, destination } = this.workload;
    this.history.record({ type: "deliver", timeNs: now, client: name, group: destination, stream: destination, position: -1, idFirst: delivery.id, count: 1, ...(delivery.redelivered ? { redelivered: true as const } : {}) });
    const failEvery = this.workload.failEvery;
    if (failEvery !== undefined && delivery.id % failEvery === 0) return this.onListenerFailed(delivery);
    const applied = this.idempotentConsumer === null ? [{ idFirst: delivery.id, count: 1 }] : this.idempotentConsumer.apply(delivery.id, 1);
    for (const range of applied) this.history.record({ type: "effect", timeNs: now, client: name, group: destination, idFirst: range.idFirst, count: range.count });
    // The ack follows the processing (AUTO), or the application's acknowledge() every so many messages (CLIENT);
    // one sent while disconnected is dropped.
    this.unacknowledged.push(delivery.messageId);
    this.lastProcessedNs = now;
    if (this.unacknowledged.length >= (this.workload.acknowledgeEvery ?? 1)) this.acknowledge();
    else if (this.buffer.length === 0) this.node!.after(ACKNOWLEDGE_IDLE_NS, this.onIdleCheck);
    this.processNext();
  };

  /**
   * The listener threw: the session rolls the delivery back and gives it to
   * the listener again after redeliveryDelay, holding back the messages
   * after it (nonBlockingRedelivery is false by default); past
   * maximumRedeliveries it sends a POISON ack and the broker moves the
   * message to ActiveMQ.DLQ (client/ActiveMQMessageConsumer.rollback,
   * RedeliveryPolicy; broker PrefetchSubscription, SharedDeadLetterStrategy).
   */
  private onListenerFailed(delivery: Delivery): void {
    const policy = this.workload.redeliveryPolicy ?? REDELIVERY_POLICY_DEFAULTS;
    const deliveries = (this.failures.get(delivery.messageId) ?? 0) + 1;
    if (deliveries > policy.maximumRedeliveries) {
      this.failures.delete(delivery.messageId);
      this.world.kernel.marks.hit("activemq.consumer.poison-ack");
      this.connection!.oneway({ kind: "ACK", consumerId: this.consumerId, destination: this.workload.destination, messageIds: [delivery.messageId], poison: true });
      return this.processNext();
    }
    this.failures.set(delivery.messageId, deliveries);
    this.isStalled = true;
    const epoch = this.epoch;
    this.node!.after(policy.redeliveryDelay * NS_PER_MS, () => {
      if (epoch !== this.epoch) return;
      this.isStalled = false;
      this.buffer.unshift({ ...delivery, redelivered: true });
      this.processNext();
    });
  }

  private readonly onIdleCheck = (): void => {
    if (this.unacknowledged.length > 0 && this.node!.now - this.lastProcessedNs >= ACKNOWLEDGE_IDLE_NS) this.acknowledge();
  };

  private acknowledge(): void {
    this.connection!.oneway({ kind: "ACK", consumerId: this.consumerId, destination: this.workload.destination, messageIds: this.unacknowledged });
    this.unacknowledged = [];
  }
}
