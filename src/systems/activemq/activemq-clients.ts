/**
 * ActiveMQ client applications on the failover transport
 * (failover-connection.ts; docs/research/activemq-facts.md §2, §3, §6):
 *
 * - a producer sends at its rate, one message at a time on its session: a
 *   persistent message outside a transaction is a sync send (the call waits
 *   for the broker's Response, also across a failover, where it is sent
 *   again); a non-persistent one is async (fire and forget: the history
 *   marks its outcome unknown);
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
import { FailoverConnection } from "./failover-connection.js";
import type { OpenWireCommand } from "./openwire.js";

const NS_PER_SECOND = 1_000_000_000;

export interface ActiveMqProducerWorkload {
  name: string;
  destination: string;
  brokers: readonly string[];
  messagesPerSecond: number;
  bodyBytes: number;
  /** DeliveryMode.PERSISTENT (the default): a sync send. */
  persistent?: boolean;
}

export class ActiveMqProducer implements NodeSoftware {
  private node: WorldNode | null = null;
  private connection: FailoverConnection | null = null;
  private queued = 0;
  private inFlightId = -1;
  private sequenceNext = 0;
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
    this.connection = new FailoverConnection(this.world, node, this.workload.brokers, this.world.kernel.rng.stream(`activemq.failover:${node.name}#${node.incarnation}`), {
      onRestore: () => undefined,
      onCommand: (command) => this.onCommand(command),
      onInterrupted: () => undefined,
    });
    this.connection.connect();
    node.after(Math.round(NS_PER_SECOND / this.workload.messagesPerSecond), this.onArrivalBound);
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

  private onArrival(): void {
    const node = this.node!;
    if (node.now >= this.stopNs) return;
    this.queued++;
    this.sendNext();
    node.after(Math.round(NS_PER_SECOND / this.workload.messagesPerSecond), this.onArrivalBound);
  }

  private sendNext(): void {
    if (this.inFlightId >= 0 || this.queued === 0) return;
    this.queued--;
    const now = this.node!.now;
    const id = this.history.reserveIds(1);
    const sequence = this.sequenceNext++;
    const { name, destination, bodyBytes } = this.workload;
    this.history.record({ type: "send", timeNs: now, client: name, idFirst: id, count: 1 });
    const command = { kind: "MESSAGE" as const, commandId: sequence, destination, producerId: this.producerId, sequence, id, bodyBytes, persistent: this.isPersistent, responseRequired: this.isPersistent };
    if (!this.isPersistent) {
      this.connection!.oneway(command);
      this.history.record({ type: "send-result", timeNs: now, client: name, idFirst: id, count: 1, outcome: "unknown", stream: destination, position: -1, error: "ASYNC_SEND" });
      return this.sendNext();
    }
    this.inFlightId = id;
    this.connection!.request(command);
  }

  private onCommand(command: OpenWireCommand): void {
    if (command.kind !== "RESPONSE" || this.inFlightId < 0) return;
    const { name, destination } = this.workload;
    const outcome = command.error === "" ? "ok" : "error";
    this.history.record({ type: "send-result", timeNs: this.node!.now, client: name, idFirst: this.inFlightId, count: 1, outcome, stream: destination, position: -1, error: command.error });
    this.inFlightId = -1;
    this.sendNext();
  }
}

export interface ActiveMqConsumerWorkload {
  name: string;
  destination: string;
  brokers: readonly string[];
  /** ActiveMQPrefetchPolicy: 1000 for a queue. */
  prefetch?: number;
  processNsPerMessage: number;
}

interface Delivery {
  messageId: string;
  id: number;
  redelivered: boolean;
}

export class ActiveMqConsumer implements NodeSoftware {
  private node: WorldNode | null = null;
  private connection: FailoverConnection | null = null;
  /** Dispatched, not yet processed (the prefetch buffer), head first. */
  private buffer: Delivery[] = [];
  private isProcessing = false;
  private commandIdNext = 0;

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
    this.connection = new FailoverConnection(this.world, node, this.workload.brokers, this.world.kernel.rng.stream(`activemq.failover:${node.name}#${node.incarnation}`), {
      onRestore: () => this.subscribe(),
      onCommand: (command) => this.onCommand(command),
      // clearMessagesInProgress: the prefetched messages not yet processed are dropped; the broker gives them again.
      onInterrupted: () => (this.buffer = []),
    });
    this.connection.connect();
  }

  /** Consumed and nothing buffered or under way. */
  isIdle(): boolean {
    return this.buffer.length === 0 && !this.isProcessing;
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
    if (this.isProcessing || this.buffer.length === 0) return;
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
    const applied = this.idempotentConsumer === null ? [{ idFirst: delivery.id, count: 1 }] : this.idempotentConsumer.apply(delivery.id, 1);
    for (const range of applied) this.history.record({ type: "effect", timeNs: now, client: name, group: destination, idFirst: range.idFirst, count: range.count });
    // AUTO_ACKNOWLEDGE: the ack follows the processing; one sent while disconnected is dropped.
    this.connection!.oneway({ kind: "ACK", consumerId: this.consumerId, destination, messageId: delivery.messageId });
    this.processNext();
  };
}
