/**
 * A consuming application on its own client node: basic.consume with a
 * prefetch (basic.qos) and automatic or manual acknowledgement
 * (https://www.rabbitmq.com/docs/confirms#acknowledgement-modes). It works
 * through deliveries one at a time, `processNsPerMessage` each; the effect
 * happens when processing ends and, with manual acks, the ack goes after it.
 * With auto-ack the broker forgot the messages when it sent them: a crash
 * mid-batch loses them (C14). With manual acks the broker requeues what was
 * unacknowledged when the channel closes and delivers it again with
 * redelivered=true (duplicates; an idempotent consumer applies them once).
 */
import type { History } from "../../history/history.js";
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { ClientConnection } from "./client-connection.js";
import type { ServerFrame } from "./protocol.js";

export interface RabbitConsumerWorkload {
  name: string;
  queue: string;
  /** The application this consumer belongs to (default: the queue's name); it must see every message. */
  group?: string;
  hosts?: string[];
  prefetch: number;
  autoAck: boolean;
  processNsPerMessage: number;
  /** Applies each message's effect once (a processed-ids table beside the effect). */
  idempotent?: boolean;
}

interface Work {
  deliveryTag: number;
  idFirst: number;
  count: number;
}

export class RabbitConsumer implements NodeSoftware {
  private connection: ClientConnection | null = null;
  private node!: WorldNode;
  private readonly backlog: Work[] = [];
  private isBusy = false;
  private isDown = false;
  private isSubscribed = false;
  private receivedMessages = 0;
  private readonly doneBound = (work: Work): void => this.onProcessed(work);
  private readonly resubscribeBound = (): void => this.subscribe();

  constructor(
    private readonly world: World,
    readonly workload: RabbitConsumerWorkload,
    private readonly hosts: string[],
    private readonly history: History,
    private readonly dedupe: IdempotentConsumer | null,
    private readonly reconnectNs: number,
    private readonly heartbeatNs: number,
  ) {}

  get group(): string {
    return this.workload.group ?? this.workload.queue;
  }

  get received(): number {
    return this.receivedMessages;
  }

  /** Nothing delivered and waiting to be processed. */
  isIdle(): boolean {
    return this.backlog.length === 0 && !this.isBusy;
  }

  start(node: WorldNode): void {
    this.node = node;
    this.backlog.length = 0;
    this.isBusy = false;
    this.isSubscribed = false;
    this.connection = new ClientConnection(this.world, node, this.hosts, this.reconnectNs, this.heartbeatNs, {
      onOpen: () => this.subscribe(),
      onFrame: (frame) => this.onFrame(frame),
      onClose: () => {
        // Unacknowledged deliveries are requeued by the broker; work in hand is abandoned.
        this.backlog.length = 0;
        this.isSubscribed = false;
        this.noteFailure("CONNECTION_CLOSED");
      },
    });
    this.connection.connect();
  }

  private subscribe(): void {
    const connection = this.connection!;
    if (!connection.isOpen || this.isSubscribed) return;
    this.isSubscribed = true;
    connection.send({ kind: "basic.consume", queue: this.workload.queue, prefetch: this.workload.prefetch, autoAck: this.workload.autoAck });
  }

  private onFrame(frame: ServerFrame): void {
    const now = this.node.now;
    switch (frame.kind) {
      case "consume-ok":
        if (this.isDown) this.history.record({ type: "op-ok", timeNs: now, client: this.workload.name, op: "receive" });
        this.isDown = false;
        return;
      case "consume-failed":
      case "basic.cancel":
        this.isSubscribed = false;
        this.noteFailure(frame.reason.toUpperCase());
        this.node.after(this.reconnectNs, this.resubscribeBound);
        return;
      case "basic.deliver":
        this.receivedMessages += frame.count;
        this.history.record({ type: "deliver", timeNs: now, client: this.workload.name, group: this.group, stream: frame.queue, position: -1, idFirst: frame.idFirst, count: frame.count, ...(frame.redelivered ? { redelivered: true as const } : {}) });
        this.backlog.push({ deliveryTag: frame.deliveryTag, idFirst: frame.idFirst, count: frame.count });
        this.processNext();
        return;
      default:
        return;
    }
  }

  private processNext(): void {
    if (this.isBusy || this.backlog.length === 0) return;
    const work = this.backlog.shift()!;
    this.isBusy = true;
    this.node.after(Math.max(1, work.count * this.workload.processNsPerMessage), this.doneBound, work);
  }

  private onProcessed(work: Work): void {
    this.isBusy = false;
    const now = this.node.now;
    const ranges = this.dedupe === null ? [{ idFirst: work.idFirst, count: work.count }] : this.dedupe.apply(work.idFirst, work.count);
    for (const range of ranges) this.history.record({ type: "effect", timeNs: now, client: this.workload.name, group: this.group, idFirst: range.idFirst, count: range.count });
    if (!this.workload.autoAck) this.connection!.send({ kind: "basic.ack", deliveryTag: work.deliveryTag });
    this.processNext();
  }

  private noteFailure(error: string): void {
    if (this.isDown) return;
    this.isDown = true;
    this.history.record({ type: "op-failed", timeNs: this.node.now, client: this.workload.name, op: "receive", error });
  }
}
