/**
 * An ActiveMQ consumer application: a session with a MessageListener on one
 * queue, over the failover transport (activemq-client
 * ActiveMQMessageConsumer.java and TransactionContext.java, tag
 * activemq-5.18.7; docs/research/activemq-facts.md §3, §6).
 *
 * The consumer registers with its prefetch (1000); the broker pushes up to
 * that many unacknowledged messages, and the session gives them to the
 * listener one at a time (processNsPerMessage each). What happens after the
 * listener depends on the session's acknowledge mode:
 *
 * - AUTO_ACKNOWLEDGE (and DUPS_OK_ACKNOWLEDGE, the same on a queue): the
 *   session acks each message once the listener returns;
 * - INDIVIDUAL_ACKNOWLEDGE: the application acks each message it processed
 *   (message.acknowledge() acks that message only);
 * - CLIENT_ACKNOWLEDGE: the application calls message.acknowledge() after
 *   every `acknowledgeEvery` messages (or after a second idle), which acks
 *   every message the session delivered since the last call;
 * - SESSION_TRANSACTED: the application calls session.commit() after every
 *   `messagesPerTransaction` messages (or after a second idle); the acks
 *   travel with the transaction and the broker applies them at commit; the
 *   listener thread waits for the commit's answer.
 *
 * A listener that throws (failEvery): with AUTO, DUPS_OK and INDIVIDUAL the
 * session rolls back: the message is given again after the redelivery
 * policy's delay, holding back the ones behind it (nonBlockingRedelivery is
 * false), and past maximumRedeliveries it is poison-acked, which sends it to
 * ActiveMQ.DLQ. With CLIENT_ACKNOWLEDGE the source's comment says it: the
 * session "Deliver[s] the next message", and the application's next
 * acknowledge() acks the failed one too: gone, neither redelivered nor
 * dead-lettered. A transacted application calls session.rollback() (as
 * Spring's listener containers do): every message of the transaction is
 * given again, and once the last is past the limit the whole transaction is
 * poison-acked, the ones that did not fail included.
 *
 * The connection's duplicate audit (connection-audit.ts) sees every message
 * before the listener: one this connection already gave it (its ack lost
 * when the master died, say) is not given again but poison-acked ("suppressing
 * duplicate delivery on connection, poison acking"): it goes to the DLQ.
 *
 * When the transport is interrupted the session drops what was prefetched
 * and not yet given; CLIENT_ACKNOWLEDGE's unacknowledged and a transaction's
 * messages are rolled back out of the audit (the broker redelivers them: the
 * application gets them again); a transaction with messages, or with its
 * commit in flight, is rolled back (TransactionRolledBackException), even
 * when the broker had committed it. Acks sent while disconnected are lost.
 *
 * Where the model differs: the transacted consumer's failover recovery
 * (previously delivered messages tracked through the reconnect, the commit
 * failing later) is reduced to its outcome, a rollback at the interruption;
 * redelivery timing after a rollback by the application ignores
 * useCollisionAvoidance.
 */
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { ConnectionAudit, type ConnectionAuditOptions } from "./connection-audit.js";
import { FailoverConnection, type FailoverOptions } from "./failover-connection.js";
import type { OpenWireCommand } from "./openwire.js";
import { isRedeliveryExceeded, REDELIVERY_POLICY_DEFAULTS, redeliveryDelayMsOf, type RedeliveryPolicy } from "./redelivery-policy.js";

const NS_PER_SECOND = 1_000_000_000;
const NS_PER_MS = 1_000_000;
/** CLIENT_ACKNOWLEDGE and SESSION_TRANSACTED: an application idle this long acknowledges (commits) what it consumed. */
const ACKNOWLEDGE_IDLE_NS = NS_PER_SECOND;

export type AcknowledgeMode = "AUTO_ACKNOWLEDGE" | "DUPS_OK_ACKNOWLEDGE" | "CLIENT_ACKNOWLEDGE" | "INDIVIDUAL_ACKNOWLEDGE" | "SESSION_TRANSACTED";

export interface ActiveMqConsumerWorkload {
  name: string;
  destination: string;
  brokers: readonly string[];
  /** The failover URI's reconnect options (default FAILOVER_DEFAULTS). */
  failover?: FailoverOptions;
  /** ActiveMQPrefetchPolicy: 1000 for a queue. */
  prefetch?: number;
  processNsPerMessage: number;
  /** Default AUTO_ACKNOWLEDGE. */
  acknowledgeMode?: AcknowledgeMode;
  /** CLIENT_ACKNOWLEDGE: message.acknowledge() after every this many messages (default 1). */
  acknowledgeEvery?: number;
  /** SESSION_TRANSACTED: session.commit() after every this many messages (default 1). */
  messagesPerTransaction?: number;
  /** The application's listener throws on every message whose id is a multiple of this (a poison message), each time it gets it. */
  failEvery?: number;
  /** The connection factory's RedeliveryPolicy (default REDELIVERY_POLICY_DEFAULTS). */
  redeliveryPolicy?: RedeliveryPolicy;
  /** ActiveMQConnectionFactory.checkForDuplicates (default true) and its audit's sizes. */
  checkForDuplicates?: boolean;
  audit?: ConnectionAuditOptions;
}

interface Delivery {
  readonly messageId: string;
  readonly producerId: string;
  readonly sequence: number;
  readonly id: number;
  /** The broker's count, plus the session's rollbacks of it. */
  redeliveryCounter: number;
}

export class ActiveMqConsumer implements NodeSoftware {
  private node: WorldNode | null = null;
  private connection: FailoverConnection | null = null;
  private audit: ConnectionAudit | null = null;
  /** Prefetched, not yet given to the listener, head first. */
  private buffer: Delivery[] = [];
  /** The one the listener is processing. */
  private current: Delivery | null = null;
  /** Given to the listener and not yet acknowledged: CLIENT_ACKNOWLEDGE's since its last acknowledge(), a transaction's messages. */
  private delivered: Delivery[] = [];
  /** The commit() in flight: the listener thread waits for it. */
  private commit: { commandId: number; deliveries: Delivery[] } | null = null;
  /** A rollback's messages wait out the redelivery delay; nothing is given meanwhile. */
  private isStalled = false;
  private commandIdNext = 0;
  private transactionNext = 0;
  private lastProcessedNs = 0;
  /** Bumped when the connection is lost or the process starts: a redelivery or an outcome from before is stale. */
  private epoch = 0;
  private readonly policy: RedeliveryPolicy;
  private readonly mode: AcknowledgeMode;

  constructor(
    private readonly world: World,
    private readonly workload: ActiveMqConsumerWorkload,
    private readonly history: History,
    /** The application's durable processed-ids store, shared by its consumers (null: it applies every delivery). */
    private readonly idempotentConsumer: IdempotentConsumer | null = null,
  ) {
    this.policy = workload.redeliveryPolicy ?? REDELIVERY_POLICY_DEFAULTS;
    this.mode = workload.acknowledgeMode ?? "AUTO_ACKNOWLEDGE";
  }

  start(node: WorldNode): void {
    this.node = node;
    this.audit = (this.workload.checkForDuplicates ?? true) ? new ConnectionAudit(this.workload.audit) : null;
    this.buffer = [];
    this.current = null;
    this.delivered = [];
    this.commit = null;
    this.isStalled = false;
    this.epoch++;
    this.connection = FailoverConnection.open(this.world, node, this.workload.brokers, {
      onRestore: () => this.subscribe(),
      onCommand: (command) => this.onCommand(command),
      onInterrupted: () => this.onInterrupted(),
    }, this.workload.failover);
  }

  /** Consumed and nothing buffered, under way or waiting to be committed. */
  isIdle(): boolean {
    return this.buffer.length === 0 && this.current === null && !this.isStalled && this.commit === null;
  }

  private get consumerId(): string {
    return `${this.node!.name}#${this.node!.incarnation}`;
  }

  private subscribe(): void {
    this.connection!.request({ kind: "CONSUMER_INFO", commandId: this.commandIdNext++, consumerId: this.consumerId, destination: this.workload.destination, prefetch: this.workload.prefetch ?? 1_000 });
  }

  private onCommand(command: OpenWireCommand): void {
    if (command.kind === "RESPONSE") return this.onCommitAnswered(command);
    if (command.kind !== "DISPATCH") return;
    this.buffer.push({ messageId: command.messageId, producerId: command.producerId, sequence: command.sequence, id: command.id, redeliveryCounter: command.redeliveryCounter });
    this.processNext();
  }

  /** The session gives the listener its next message; the audit first turns away one this connection already gave. */
  private processNext(): void {
    while (this.current === null && !this.isStalled && this.commit === null && this.buffer.length > 0) {
      const delivery = this.buffer.shift()!;
      if (this.audit !== null && this.audit.isDuplicate(this.workload.destination, delivery.producerId, delivery.sequence)) {
        this.world.kernel.marks.hit("activemq.consumer.duplicate-suppressed");
        this.sendAck([delivery], true);
        continue;
      }
      this.current = delivery;
      this.node!.after(this.workload.processNsPerMessage, this.onProcessed, this.epoch);
    }
  }

  private readonly onProcessed = (epoch: number): void => {
    const delivery = this.current!;
    this.current = null;
    const now = this.node!.now;
    const { name, destination, failEvery } = this.workload;
    this.history.record({ type: "deliver", timeNs: now, client: name, group: destination, stream: destination, position: -1, idFirst: delivery.id, count: 1, ...(delivery.redeliveryCounter > 0 ? { redelivered: true as const } : {}) });
    const isFailed = failEvery !== undefined && delivery.id % failEvery === 0;
    if (!isFailed) this.applyEffect(delivery.id);
    this.lastProcessedNs = now;
    // The transport was lost while the listener ran: its ack would be dropped, and the session was already cleared.
    if (epoch !== this.epoch) {
      if (this.mode === "CLIENT_ACKNOWLEDGE" || this.mode === "SESSION_TRANSACTED") this.rollbackAudit([delivery]);
      return this.processNext();
    }
    if (isFailed) this.onListenerFailed(delivery);
    else this.afterConsumed(delivery);
    this.processNext();
  };

  private applyEffect(id: number): void {
    const now = this.node!.now;
    const { name, destination } = this.workload;
    const applied = this.idempotentConsumer === null ? [{ idFirst: id, count: 1 }] : this.idempotentConsumer.apply(id, 1);
    for (const range of applied) this.history.record({ type: "effect", timeNs: now, client: name, group: destination, idFirst: range.idFirst, count: range.count });
  }

  /** The listener returned: the ack as the mode has it. */
  private afterConsumed(delivery: Delivery): void {
    if (this.mode === "CLIENT_ACKNOWLEDGE") return this.hold(delivery, this.workload.acknowledgeEvery ?? 1);
    if (this.mode === "SESSION_TRANSACTED") return this.hold(delivery, this.workload.messagesPerTransaction ?? 1);
    this.sendAck([delivery], false);
  }

  /** CLIENT_ACKNOWLEDGE and SESSION_TRANSACTED: kept until the application acknowledges (commits) every `every` messages or after a second idle. */
  private hold(delivery: Delivery, every: number): void {
    this.delivered.push(delivery);
    if (this.delivered.length >= every) return this.settleDelivered();
    if (this.buffer.length === 0) this.node!.after(ACKNOWLEDGE_IDLE_NS, this.onIdleCheck, this.epoch);
  }

  private readonly onIdleCheck = (epoch: number): void => {
    if (epoch !== this.epoch || this.delivered.length === 0 || this.commit !== null || this.current !== null) return;
    if (this.node!.now - this.lastProcessedNs >= ACKNOWLEDGE_IDLE_NS) this.settleDelivered();
  };

  /** message.acknowledge() (all delivered since the last) or session.commit(). */
  private settleDelivered(): void {
    const deliveries = this.delivered;
    this.delivered = [];
    if (this.mode !== "SESSION_TRANSACTED") return this.sendAck(deliveries, false);
    const transactionId = `${this.consumerId}:tx${this.transactionNext++}`;
    const commandId = this.commandIdNext++;
    const messageIds = deliveries.map((delivery) => delivery.messageId);
    this.connection!.oneway({ kind: "ACK", consumerId: this.consumerId, destination: this.workload.destination, messageIds, transactionId });
    this.commit = { commandId, deliveries };
    this.connection!.request({ kind: "COMMIT", commandId, transactionId });
  }

  private onCommitAnswered(command: Extract<OpenWireCommand, { kind: "RESPONSE" }>): void {
    const commit = this.commit;
    if (commit === null || command.correlationId !== commit.commandId) return;
    this.commit = null;
    // A commit the broker failed (its store did) rolls back: the session gives the messages again.
    if (command.error !== "") this.rollback(commit.deliveries);
    this.processNext();
  }

  /**
   * The listener threw. AUTO, DUPS_OK, INDIVIDUAL: the session rolls the
   * message back. CLIENT: the next message is delivered and the failed one
   * stays among the delivered, acknowledged with them. Transacted: the
   * application rolls its transaction back.
   */
  private onListenerFailed(delivery: Delivery): void {
    if (this.mode === "CLIENT_ACKNOWLEDGE") {
      this.world.kernel.marks.hit("activemq.consumer.failed-message-acknowledged");
      return this.hold(delivery, this.workload.acknowledgeEvery ?? 1);
    }
    if (this.mode !== "SESSION_TRANSACTED") return this.rollback([delivery]);
    const deliveries = [...this.delivered, delivery];
    this.delivered = [];
    this.rollback(deliveries);
  }

  /**
   * ActiveMQMessageConsumer.rollback(): each message's counter goes up and
   * it leaves the audit; when the last one is past maximumRedeliveries all
   * of them are poison-acked (to the DLQ), else they are given again, in
   * order, after the policy's delay, nothing else given meanwhile.
   */
  private rollback(deliveries: Delivery[]): void {
    for (const delivery of deliveries) delivery.redeliveryCounter++;
    this.rollbackAudit(deliveries);
    const last = deliveries[deliveries.length - 1]!;
    if (isRedeliveryExceeded(this.policy, last.redeliveryCounter)) {
      this.world.kernel.marks.hit("activemq.consumer.poison-ack");
      return this.sendAck(deliveries, true);
    }
    this.isStalled = true;
    this.node!.after(redeliveryDelayMsOf(this.policy, last.redeliveryCounter) * NS_PER_MS, this.onRedeliveryDue, { epoch: this.epoch, deliveries });
  }

  private readonly onRedeliveryDue = (due: { epoch: number; deliveries: Delivery[] }): void => {
    if (due.epoch !== this.epoch) return;
    this.isStalled = false;
    this.buffer.unshift(...due.deliveries);
    this.processNext();
  };

  private rollbackAudit(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) this.audit?.rollbackDuplicate(this.workload.destination, delivery.producerId, delivery.sequence);
  }

  /** A standard (or poison) ack of these messages, outside any transaction; dropped while disconnected. */
  private sendAck(deliveries: readonly Delivery[], isPoison: boolean): void {
    const messageIds = deliveries.map((delivery) => delivery.messageId);
    this.connection!.oneway({ kind: "ACK", consumerId: this.consumerId, destination: this.workload.destination, messageIds, ...(isPoison ? { poison: true as const } : {}) });
  }

  /**
   * The transport is lost (clearMessagesInProgress): the prefetched are
   * dropped; CLIENT_ACKNOWLEDGE's delivered and a transaction's messages
   * (a commit in flight included) leave the audit, since the broker gives
   * them again; a rollback's pending redelivery is dropped too.
   */
  private onInterrupted(): void {
    const rolledBack = [...this.delivered, ...(this.commit?.deliveries ?? [])];
    if (this.mode === "SESSION_TRANSACTED" && rolledBack.length > 0) this.world.kernel.marks.hit("activemq.consumer.transaction-rolled-back");
    if (this.mode === "CLIENT_ACKNOWLEDGE" || this.mode === "SESSION_TRANSACTED") this.rollbackAudit(rolledBack);
    this.buffer = [];
    this.delivered = [];
    this.commit = null;
    this.isStalled = false;
    this.epoch++;
  }
}
