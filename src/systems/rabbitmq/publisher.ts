/**
 * A publishing application on its own client node. It offers `ratePerSec`
 * messages in bursts of `batch` (one frame of back-to-back basic.publish),
 * in one of three modes (https://www.rabbitmq.com/docs/confirms):
 * - "confirm": publisher confirms, asynchronous, at most `inFlightMax`
 *   unconfirmed messages; basic.ack = ok, basic.nack = unknown (the broker
 *   could not say it stored it), a publish refused at the door
 *   (queue down, reject-publish) = error;
 * - "tx": tx.select, each burst is published then tx.commit, and the next
 *   burst waits for tx.commit-ok (synchronous, the slow way of C14);
 * - "none": fire and forget: the application counts a message as sent once
 *   it is written to the socket, so what the broker loses is lost.
 * A broken connection makes every unanswered publish "unknown".
 */
import type { History, SendOutcome } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { ClientConnection } from "./client-connection.js";
import { routeLabel } from "./cluster-plan.js";
import type { ServerFrame } from "./protocol.js";

export interface RabbitPublisherWorkload {
  name: string;
  /** Nodes to connect to, in order of preference (default: every node, starting with a different one per client). */
  hosts?: string[];
  exchange: string;
  routingKey: string;
  mode: "confirm" | "tx" | "none";
  ratePerSec: number;
  messageBytes: number;
  /** Messages per burst (and per transaction). */
  batch: number;
  /** delivery_mode 2. */
  persistent: boolean;
  /** Confirm mode: unconfirmed messages allowed in flight (0 = no limit). */
  inFlightMax?: number;
  /** Per-message `expiration` in ms. */
  expirationMs?: number;
}

interface Outstanding {
  idFirst: number;
  count: number;
  sentAtNs: number;
}

export class RabbitPublisher implements NodeSoftware {
  private connection: ClientConnection | null = null;
  private readonly outstanding = new Map<number, Outstanding>();
  private inFlight = 0;
  private pubSeqNext = 1;
  private txOpen = -1;
  private isDown = false;
  private node!: WorldNode;
  private readonly tickBound = (): void => this.tick();
  /** The history's name for where this publisher sends (see routeLabel). */
  private readonly stream: string;

  constructor(
    private readonly world: World,
    private readonly workload: RabbitPublisherWorkload,
    private readonly hosts: string[],
    private readonly history: History,
    private readonly stopAtNs: number,
    private readonly reconnectNs: number,
    private readonly timeoutNs: number,
    private readonly heartbeatNs: number,
  ) {
    this.stream = routeLabel(workload.exchange, workload.routingKey);
  }

  start(node: WorldNode): void {
    this.node = node;
    this.outstanding.clear();
    this.inFlight = 0;
    this.pubSeqNext = 1;
    this.txOpen = -1;
    this.connection = new ClientConnection(this.world, node, this.hosts, this.reconnectNs, this.heartbeatNs, {
      onOpen: () => {
        if (this.workload.mode === "confirm") this.connection!.send({ kind: "confirm.select" });
        if (this.workload.mode === "tx") this.connection!.send({ kind: "tx.select" });
      },
      onFrame: (frame) => this.onFrame(frame),
      onClose: () => this.failOutstanding("CONNECTION_CLOSED"),
    });
    this.connection.connect();
    node.after(0, this.tickBound);
  }

  isIdle(): boolean {
    return this.outstanding.size === 0;
  }

  private get intervalNs(): number {
    return Math.max(1, Math.round((this.workload.batch * 1e9) / this.workload.ratePerSec));
  }

  private tick(): void {
    const now = this.node.now;
    this.expireOld(now);
    if (now >= this.stopAtNs) {
      // Done publishing; keep the clock on what is still unanswered so it times out.
      if (this.outstanding.size > 0) this.node.after(100_000_000, this.tickBound);
      return;
    }
    this.node.after(this.intervalNs, this.tickBound);
    const connection = this.connection!;
    if (!connection.isOpen) {
      this.noteFailure("NOT_CONNECTED");
      return;
    }
    const { mode, batch } = this.workload;
    if (mode === "tx" && this.txOpen >= 0) return;
    const inFlightMax = this.workload.inFlightMax ?? 0;
    if (mode === "confirm" && inFlightMax > 0 && this.inFlight + batch > inFlightMax) return;
    const idFirst = this.history.reserveIds(batch);
    const pubSeq = this.pubSeqNext;
    this.pubSeqNext += batch;
    this.history.record({ type: "send", timeNs: now, client: this.workload.name, idFirst, count: batch });
    connection.send({
      kind: "publish",
      exchange: this.workload.exchange,
      routingKey: this.workload.routingKey,
      pubSeq,
      idFirst,
      count: batch,
      bytesEach: this.workload.messageBytes,
      persistent: this.workload.persistent,
      expirationMs: this.workload.expirationMs ?? -1,
    });
    if (mode === "none") {
      this.result(idFirst, batch, "ok", "", connection.server ?? "");
      return;
    }
    this.outstanding.set(pubSeq, { idFirst, count: batch, sentAtNs: now });
    this.inFlight += batch;
    if (mode === "tx") {
      this.txOpen = pubSeq;
      connection.send({ kind: "tx.commit", pubSeqEnd: pubSeq + batch });
    }
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.kind) {
      case "basic.ack":
        this.settle(frame.pubSeqFirst, "ok", "");
        return;
      case "basic.nack":
        this.settle(frame.pubSeqFirst, frame.reason === "queue-down" || frame.reason === "reject-publish" ? "error" : "unknown", frame.reason.toUpperCase());
        return;
      case "tx.commit-ok":
        this.settle(this.txOpen, "ok", "");
        this.txOpen = -1;
        return;
      default:
        return;
    }
  }

  private settle(pubSeq: number, outcome: SendOutcome, error: string): void {
    const entry = this.outstanding.get(pubSeq);
    if (entry === undefined) return;
    this.outstanding.delete(pubSeq);
    this.inFlight -= entry.count;
    this.result(entry.idFirst, entry.count, outcome, error, this.connection?.server ?? "");
  }

  private result(idFirst: number, count: number, outcome: SendOutcome, error: string, server: string): void {
    const now = this.node.now;
    this.history.record({ type: "send-result", timeNs: now, client: this.workload.name, idFirst, count, outcome, stream: this.stream, position: -1, error, ...(server === "" ? {} : { server }) });
    if (outcome === "ok") {
      if (this.isDown) this.history.record({ type: "op-ok", timeNs: now, client: this.workload.name, op: "send" });
      this.isDown = false;
    } else {
      this.noteFailure(error);
    }
  }

  private noteFailure(error: string): void {
    if (this.isDown) return;
    this.isDown = true;
    this.history.record({ type: "op-failed", timeNs: this.node.now, client: this.workload.name, op: "send", error });
  }

  private failOutstanding(error: string): void {
    for (const [pubSeq] of [...this.outstanding]) this.settle(pubSeq, "unknown", error);
    this.txOpen = -1;
  }

  private expireOld(now: number): void {
    for (const [pubSeq, entry] of this.outstanding) {
      if (now - entry.sentAtNs < this.timeoutNs) break;
      this.settle(pubSeq, "unknown", "TIMEOUT");
      if (this.workload.mode === "tx") this.txOpen = -1;
    }
  }
}
