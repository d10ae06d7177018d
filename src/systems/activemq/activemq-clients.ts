/**
 * ActiveMQ's producer application on the failover transport
 * (failover-connection.ts; docs/research/activemq-facts.md §2, §6; the
 * consumer is activemq-consumer.ts, a transacted producer
 * transacted-producer.ts):
 *
 * - a producer sends at its rate, one message at a time on its session: a
 *   persistent message outside a transaction is a sync send (the call waits
 *   for the broker's Response, also across a failover, where it is sent
 *   again); a non-persistent one, or any with useAsyncSend, is async (fire
 *   and forget: the history marks its outcome unknown; while the failover
 *   transport is disconnected the send blocks until it reconnects, and one
 *   lost in a dead socket is not sent again).
 */
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { FailoverConnection, type FailoverOptions } from "./failover-connection.js";
import type { OpenWireCommand } from "./openwire.js";

const NS_PER_SECOND = 1_000_000_000;

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
