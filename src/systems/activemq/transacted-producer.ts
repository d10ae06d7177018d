/**
 * A producer in a transacted session (createSession(true,
 * SESSION_TRANSACTED); client/TransactionContext.java and
 * ConnectionStateTracker, tag activemq-5.18.7; docs/research/
 * activemq-facts.md §2, §6, §7): the application sends
 * `messagesPerTransaction` messages and calls commit().
 *
 * - the sends are async (one-way, marked with the transaction); commit() is
 *   a sync COMMIT_ONE_PHASE: the messages are stored and become visible to
 *   consumers only once the broker has committed them;
 * - a connection lost before commit() is answered: the failover transport
 *   replays an open transaction on the new connection, but one whose commit
 *   was in flight is not replayed: commit() throws
 *   TransactionRolledBackException ("in doubt") even if the broker
 *   committed it. The application sends the same messages again in a new
 *   transaction. They carry new message ids (new producer sequences), so the
 *   broker's producer audit cannot tell them from new ones: if the first
 *   commit had happened, they are stored twice.
 *
 * Where the model differs: a transaction interrupted before its commit was
 * sent is retried by the application too (the real failover transport
 * replays it itself); the outcome is the same, one copy, since the broker
 * drops a lost connection's open transaction.
 */
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { firstArrivalDelayNs, type ActiveMqProducerWorkload } from "./activemq-clients.js";
import { FailoverConnection } from "./failover-connection.js";
import type { OpenWireCommand } from "./openwire.js";

const NS_PER_SECOND = 1_000_000_000;

export class TransactedProducer implements NodeSoftware {
  private node: WorldNode | null = null;
  private connection: FailoverConnection | null = null;
  /** History ids waiting to be sent: new arrivals, and a failed transaction's messages again, in order. */
  private readonly pending: number[] = [];
  /** The open transaction's messages (sent, not yet committed). */
  private transaction: { id: string; ids: number[]; destinations: string[]; commandId: number } | null = null;
  private transactionNext = 0;
  private sequenceNext = 0;
  private commandIdNext = 0;
  private isSendFailing = false;
  private readonly onArrivalBound = (): void => this.onArrival();

  constructor(
    private readonly world: World,
    private readonly workload: ActiveMqProducerWorkload & { messagesPerTransaction: number },
    private readonly history: History,
    private readonly stopNs: number,
  ) {}

  start(node: WorldNode): void {
    this.node = node;
    this.pending.length = 0;
    this.transaction = null;
    this.sequenceNext = 0;
    this.isSendFailing = false;
    this.connection = FailoverConnection.open(this.world, node, this.workload.brokers, {
      onRestore: () => this.sendNext(),
      onCommand: (command) => this.onCommand(command),
      onInterrupted: () => this.onInterrupted(),
    }, this.workload.failover);
    node.after(firstArrivalDelayNs(this.workload, node.now), this.onArrivalBound);
  }

  isIdle(): boolean {
    const node = this.node;
    return node === null || !node.isUp || (this.pending.length === 0 && this.transaction === null);
  }

  private get producerId(): string {
    return `${this.node!.name}#${this.node!.incarnation}`;
  }

  private onArrival(): void {
    const node = this.node!;
    // The workload is over: the messages short of a full transaction are committed as the last one.
    if (node.now >= this.stopNs) return this.sendNext();
    this.pending.push(this.history.reserveIds(1));
    this.sendNext();
    node.after(Math.round(NS_PER_SECOND / this.workload.messagesPerSecond), this.onArrivalBound);
  }

  /** A full transaction's worth waiting (or the last messages once arrivals have stopped): send them and commit. */
  private sendNext(): void {
    const connection = this.connection!;
    if (this.transaction !== null || !connection.isOpen) return;
    const size = this.workload.messagesPerTransaction;
    const isLast = this.node!.now >= this.stopNs;
    if (this.pending.length < size && !(isLast && this.pending.length > 0)) return;
    const ids = this.pending.splice(0, size);
    const transactionId = `${this.producerId}:tx${this.transactionNext++}`;
    const destinations: string[] = [];
    const now = this.node!.now;
    for (const id of ids) {
      const sequence = this.sequenceNext++;
      const destination = this.destinationOf(sequence);
      destinations.push(destination);
      this.history.record({ type: "send", timeNs: now, client: this.workload.name, idFirst: id, count: 1 });
      const command: OpenWireCommand = { kind: "MESSAGE", commandId: this.commandIdNext++, destination, producerId: this.producerId, sequence, id, bodyBytes: this.workload.bodyBytes, persistent: this.workload.persistent ?? true, responseRequired: false, transactionId };
      connection.oneway(command);
    }
    const commandId = this.commandIdNext++;
    this.transaction = { id: transactionId, ids, destinations, commandId };
    connection.request({ kind: "COMMIT", commandId, transactionId });
  }

  private destinationOf(sequence: number): string {
    const { destinations } = this.workload;
    return destinations === undefined ? this.workload.destination : destinations[sequence % destinations.length]!;
  }

  private onCommand(command: OpenWireCommand): void {
    const transaction = this.transaction;
    if (command.kind !== "RESPONSE" || transaction === null || command.correlationId !== transaction.commandId) return;
    const now = this.node!.now;
    const outcome = command.error === "" ? "ok" : "unknown";
    transaction.ids.forEach((id, k) => {
      this.history.record({ type: "send-result", timeNs: now, client: this.workload.name, idFirst: id, count: 1, outcome, stream: transaction.destinations[k]!, position: -1, error: command.error });
    });
    this.transaction = null;
    if (outcome !== "ok") this.pending.unshift(...transaction.ids);
    else if (this.isSendFailing) {
      this.isSendFailing = false;
      this.history.record({ type: "op-ok", timeNs: now, client: this.workload.name, op: "send" });
    }
    this.sendNext();
  }

  /** The connection is lost: an open transaction is rolled back (in doubt if its commit was in flight); the application sends its messages again. */
  private onInterrupted(): void {
    const transaction = this.transaction;
    const now = this.node!.now;
    if (transaction !== null) {
      this.world.kernel.marks.hit("activemq.producer.transaction-rolled-back");
      transaction.ids.forEach((id, k) => {
        this.history.record({ type: "send-result", timeNs: now, client: this.workload.name, idFirst: id, count: 1, outcome: "unknown", stream: transaction.destinations[k]!, position: -1, error: "TransactionRolledBackException" });
      });
      this.transaction = null;
      // The application retries its messages (the same business messages, new message ids).
      this.pending.unshift(...transaction.ids);
    }
    if (this.isSendFailing || now >= this.stopNs || !this.connection!.hasEverOpened) return;
    this.isSendFailing = true;
    this.history.record({ type: "op-failed", timeNs: now, client: this.workload.name, op: "send", error: "TRANSPORT_INTERRUPTED" });
  }
}
