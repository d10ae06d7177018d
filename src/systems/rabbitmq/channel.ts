/**
 * An AMQP channel on the node a client is connected to (one channel per
 * connection in mqsim). It routes publishes through the exchange to the
 * queues, forwards each to the node serving the queue (the "pull-through"
 * of a classic cluster: a client on another node costs inter-node bytes),
 * and answers the client:
 * - confirm mode (confirm.select): basic.ack once every queue the message
 *   was routed to has accepted it, basic.nack if one could not;
 * - transactions (tx.select): publishes wait in the channel until
 *   tx.commit, which is answered once all of them are accepted, so a
 *   publisher gets one round trip plus one fsync per commit;
 * - neither: nothing.
 * Consumers: basic.consume is forwarded to the queue's node; deliveries and
 * acks pass through.
 *
 * The channel is an Erlang process (with its connection's reader and writer
 * folded in): every frame it reads, every delivery it writes and every
 * confirm it sends costs its node's CPU (cpu-costs.ts). It reads one frame
 * at a time, and stops reading while credit flow blocks it (credit-flow.ts):
 * frames then wait in the socket (`inbox`).
 */
import type { Endpoint } from "../../world/connection.js";
import type { RabbitCpuCosts } from "./cpu-costs.js";
import { ChannelCredit, type CreditRole } from "./credit-flow.js";
import type { ErlangProcess } from "./erlang-schedulers.js";
import type { ClientFrame, NodeMessage, PublishBody, ServerFrame } from "./protocol.js";
import { serverFrameBytes } from "./protocol.js";
import type { Router } from "./router.js";

type EnqueueResult = Extract<NodeMessage, { kind: "enqueue-result" }>;
type Deliver = Extract<ServerFrame, { kind: "basic.deliver" }>;

interface PendingPublish {
  pubSeqFirst: number;
  count: number;
  /** Queues that still have to answer. */
  waiting: number;
  isFailed: boolean;
  failReason: string;
  /** Nodes the publish went to, so a node going down fails what it held. */
  nodes: string[];
  /** Routed to one quorum queue: rabbit_fifo_client keeps it and resends it if the node holding it goes down. */
  quorumQueue: string | null;
  body: PublishBody;
  /** When it was first routed: a resend keeps the message's expiry. */
  routedAtNs: number;
}

export type ChannelMode = "none" | "confirm" | "tx";

export class Channel {
  mode: ChannelMode = "none";
  private readonly pending = new Map<number, PendingPublish>();
  private readonly txBuffer: ({ exchange: string; routingKey: string } & PublishBody)[] = [];
  private txCommitEnd = -1;
  /** Some publish of the open transaction was refused: its commit fails. */
  private txFailed = false;
  consumerQueue: string | null = null;
  consumerNode: string | null = null;
  /** The highest delivery tag passed to the consumer since it subscribed (a repeat below it is dropped). */
  deliveredTagMax = 0;
  /** basic.consume went out and its consume-ok has not come back. */
  isAwaitingConsumeOk = false;
  /**
   * A quorum queue whose basic.consume this channel gave up on (answered
   * "not leader", or its node went down before consume-ok) after the leader
   * may already have proposed the checkout: Raft may still commit that entry
   * under the next leader, and then the queue delivers to this channel (see
   * broker-router.ts). Null when no such checkout may be pending.
   */
  failedQuorumConsume: string | null = null;
  isClosed = false;
  /** The connection has published: an alarm blocks it (RabbitMQ's "blocked"; one that has not is "blocking"). */
  private hasPublished = false;
  readonly credit = new ChannelCredit();
  /** Frames read off the socket and not yet handled (the reader reads one at a time). */
  private inbox: (ClientFrame | undefined)[] = [];
  private inboxHead = 0;
  private isReading = false;
  private readonly handleFrameBound = (frame: ClientFrame): void => this.onFrameHandled(frame);
  private readonly sendBound = (frame: ServerFrame): void => this.send(frame);
  private readonly enqueueResultBound = (message: EnqueueResult): void => this.onEnqueueResult(message.queue, message.pubSeqFirst, message.count, message.outcome);

  constructor(
    readonly id: number,
    private readonly endpoint: Endpoint,
    private readonly router: Router,
    private readonly process: ErlangProcess,
    private readonly cpu: RabbitCpuCosts,
  ) {}

  get ref(): { node: string; channel: number } {
    return { node: this.router.nodeName, channel: this.id };
  }

  /** Told of every frame written (the connection's heartbeat sender skips a beat then). */
  onWrite: () => void = noop;

  send(frame: ServerFrame): void {
    if (this.isClosed) return;
    if (this.endpoint.send(frame, serverFrameBytes(frame))) this.onWrite();
  }

  /** A frame arrived on the connection: it waits in the socket until the reader takes it. */
  onFrame(frame: ClientFrame): void {
    this.inbox.push(frame);
    this.pump();
  }

  /** The reader takes the next frame unless one is being handled or credit flow blocks it. */
  pump(): void {
    if (this.isReading || this.isClosed || this.credit.isBlocked || this.inboxHead === this.inbox.length) return;
    const frame = this.inbox[this.inboxHead]!;
    // A resource alarm: the node stops reading connections that publish (a consumer's connection goes on).
    if (this.router.isPublishBlocked && (this.hasPublished || frame.kind === "publish")) return;
    this.inbox[this.inboxHead++] = undefined;
    if (this.inboxHead === this.inbox.length) {
      this.inbox.length = 0;
      this.inboxHead = 0;
    }
    this.isReading = true;
    this.process.run(this.frameCostNs(frame), this.handleFrameBound, frame, frame.kind === "publish" ? frame.count * frame.bytesEach : 0);
  }

  private frameCostNs(frame: ClientFrame): number {
    if (frame.kind === "publish") return frame.count * (this.cpu.channelPublishNs + frame.bytesEach * this.cpu.byteNs);
    if (frame.kind === "basic.ack") return this.cpu.channelAckNs;
    return 0;
  }

  private onFrameHandled(frame: ClientFrame): void {
    this.isReading = false;
    this.handleFrame(frame);
    this.pump();
  }

  /** Frames the reader holds back while blocked (the connection's "flow" state). */
  get heldFrames(): number {
    return this.inbox.length - this.inboxHead;
  }

  /**
   * A quorum queue's new leader (rabbit_fifo's leader_change): settles go to
   * it from now on, and the recent ones go again, since those sent to the
   * old leader may have died with it (rabbit_fifo_client resends every
   * pending command; settling a tag twice changes nothing).
   */
  onQuorumLeader(queue: string, node: string): void {
    if (this.consumerQueue !== queue) return;
    this.consumerNode = node;
    this.resendRecentSettles();
  }

  private resendRecentSettles(): void {
    if (this.consumerQueue === null || this.consumerNode === null) return;
    for (const deliveryTag of this.recentAcks) this.router.settle(this, this.consumerQueue, this.consumerNode, deliveryTag);
  }

  /** Delivery tags the consumer acked lately, oldest first (a settle in flight at a leader's crash is among them). */
  private readonly recentAcks = new Set<number>();

  private noteAcked(deliveryTag: number): void {
    this.recentAcks.add(deliveryTag);
    if (this.recentAcks.size > RECENT_ACKS_MAX) this.recentAcks.delete(this.recentAcks.values().next().value!);
  }

  /** A queue process delivers to this channel's consumer: the writer sends it after its CPU. */
  deliver(frame: Deliver): void {
    this.process.run(frame.count * (this.cpu.channelDeliverNs + frame.bytesEach * this.cpu.byteNs), this.sendBound, frame);
  }

  /** A queue answered a publish: the confirm (if any) goes out after the channel's CPU. */
  receiveEnqueueResult(message: EnqueueResult): void {
    this.process.run(this.mode === "none" ? 0 : this.cpu.channelConfirmNs, this.enqueueResultBound, message);
  }

  /** A queue process granted credit ({bump_credit, …}). */
  grantCredit(queue: string, node: string, role: CreditRole, credit: number): void {
    this.credit.grant(queue, node, role, credit, this.router.nowNs);
    this.pump();
  }

  /** The queue's processes as this node's record lists them now: credit owed by the others is forgotten. */
  onQueueProcesses(queue: string, master: string | null, mirrors: readonly string[]): void {
    this.credit.onQueueProcesses(queue, master, mirrors, this.router.nowNs);
    this.pump();
  }

  private handleFrame(frame: ClientFrame): void {
    switch (frame.kind) {
      case "confirm.select":
        this.mode = "confirm";
        return;
      case "tx.select":
        this.mode = "tx";
        return;
      case "publish":
        this.hasPublished = true;
        if (this.mode === "tx") this.txBuffer.push(frame);
        else this.route(frame, frame);
        return;
      case "tx.commit":
        this.txCommitEnd = frame.pubSeqEnd;
        for (const publish of this.txBuffer.splice(0)) this.route(publish, publish);
        this.maybeCommitOk();
        return;
      case "basic.consume":
        this.failedQuorumConsume = null;
        this.consumerQueue = frame.queue;
        this.isAwaitingConsumeOk = true;
        this.consumerNode = this.router.consume(this, frame.queue, frame.prefetch, frame.autoAck);
        return;
      case "basic.ack":
        if (this.consumerQueue !== null && this.consumerNode !== null) this.router.settle(this, this.consumerQueue, this.consumerNode, frame.deliveryTag);
        this.noteAcked(frame.deliveryTag);
        return;
      case "basic.cancel":
        this.cancelConsumer();
        return;
    }
  }

  private route(target: { exchange: string; routingKey: string }, body: PublishBody): void {
    const routed = this.router.publish(this, target.exchange, target.routingKey, body);
    if (this.mode === "none") return;
    // A publish refused by one queue but taken by another is not "definitely not written": nack it as unknown.
    const failReason = routed.failReason !== "" && routed.nodes.length > 0 ? "partly-routed" : routed.failReason;
    const quorumQueue = routed.quorumQueues.length === 1 && routed.nodes.length === 1 ? routed.quorumQueues[0]! : null;
    const entry: PendingPublish = { pubSeqFirst: body.pubSeq, count: body.count, waiting: routed.nodes.length, isFailed: failReason !== "", failReason, nodes: routed.nodes, quorumQueue, body, routedAtNs: this.router.nowNs };
    this.pending.set(body.pubSeq, entry);
    this.settleIfDone(entry);
  }

  /** A queue answered for a publish. */
  onEnqueueResult(queue: string, pubSeqFirst: number, count: number, outcome: "ack" | "nack" | "reject"): void {
    this.credit.noteQuorumAnswered(queue, count, this.router.nowNs);
    this.pump();
    const entry = this.pending.get(pubSeqFirst);
    if (entry === undefined) return;
    entry.waiting--;
    if (outcome !== "ack") {
      entry.isFailed = true;
      entry.failReason = outcome === "reject" ? "reject-publish" : "nack";
    }
    this.settleIfDone(entry);
  }

  onEnqueueForwarded(pubSeqFirst: number, node: string): void {
    const entry = this.pending.get(pubSeqFirst);
    if (entry !== undefined && !entry.nodes.includes(node)) entry.nodes.push(node);
  }

  /** A node went down: every publish still waiting on it may or may not have been stored. */
  onNodeDown(node: string): void {
    this.credit.forgetNode(node, this.router.nowNs);
    this.credit.forgetQuorumAll(this.router.nowNs);
    this.pump();
    for (const entry of [...this.pending.values()]) {
      if (!entry.nodes.includes(node)) continue;
      if (entry.quorumQueue !== null && this.resendToQuorum(entry, entry.quorumQueue)) continue;
      entry.nodes = entry.nodes.filter((n) => n !== node);
      entry.waiting = entry.nodes.length;
      entry.isFailed = true;
      entry.failReason = "queue-node-down";
      this.settleIfDone(entry);
    }
    if (this.consumerNode === node && this.consumerQueue !== null) {
      const queue = this.consumerQueue;
      // A quorum queue's consumer is part of its replicated state: it follows the leader (acks go to a member that is up).
      // One whose basic.consume may have died with the node is not known to exist: the client subscribes again.
      const member = this.router.quorumMemberUp(queue);
      if (member !== null && !this.isAwaitingConsumeOk) {
        this.consumerNode = member;
        this.resendRecentSettles();
        return;
      }
      // A quorum queue's checkout may have been proposed before the node went down, and be committed by the next leader.
      if (member !== null) this.failedQuorumConsume = queue;
      this.consumerQueue = null;
      this.consumerNode = null;
      this.isAwaitingConsumeOk = false;
      // The consumer is cancelled (consumer cancel notification), the client re-subscribes.
      this.send({ kind: "basic.cancel", queue, reason: "queue-node-down" });
    }
  }

  /**
   * rabbit_fifo_client keeps every command until the queue answers and, when
   * the leader it sent to is gone, sends it again to the queue's next leader
   * (a member that is not leader holds it until one is known). The queue's
   * state machine applies a resend it already has once (applied-publishes.ts).
   */
  private resendToQuorum(entry: PendingPublish, queue: string): boolean {
    const node = this.router.resendToQuorum(this, queue, entry.body, entry.routedAtNs);
    if (node === null) return false;
    entry.nodes = [node];
    return true;
  }

  private settleIfDone(entry: PendingPublish): void {
    if (entry.waiting > 0) return;
    this.pending.delete(entry.pubSeqFirst);
    if (this.mode === "confirm") {
      if (entry.isFailed) this.send({ kind: "basic.nack", pubSeqFirst: entry.pubSeqFirst, count: entry.count, reason: entry.failReason });
      else this.send({ kind: "basic.ack", pubSeqFirst: entry.pubSeqFirst, count: entry.count });
    } else if (this.mode === "tx") {
      if (entry.isFailed) this.txFailed = true;
      this.maybeCommitOk();
    }
  }

  private maybeCommitOk(): void {
    if (this.txCommitEnd < 0) return;
    for (const entry of this.pending.values()) if (entry.pubSeqFirst < this.txCommitEnd) return;
    const end = this.txCommitEnd;
    this.txCommitEnd = -1;
    if (this.txFailed) {
      // A failed commit closes the channel (a channel-level exception); the client treats the batch as unknown.
      this.txFailed = false;
      this.endpoint.close();
      return;
    }
    this.send({ kind: "tx.commit-ok", pubSeqEnd: end });
  }

  /** The node stops serving clients: the connection is closed under the client. */
  closeConnection(): void {
    this.isClosed = true;
    this.process.exit();
    this.endpoint.close();
  }

  /** The connection closed (client gone): the channel process exits. */
  exit(): void {
    this.isClosed = true;
    this.process.exit();
  }

  cancelConsumer(): void {
    if (this.consumerQueue !== null && this.consumerNode !== null) this.router.cancel(this, this.consumerQueue, this.router.quorumMemberUp(this.consumerQueue) ?? this.consumerNode);
    this.consumerQueue = null;
    this.consumerNode = null;
  }
}

function noop(): void {}

/** How many recent acks a channel remembers to settle again after a quorum leader change: more than any prefetch window in flight. */
const RECENT_ACKS_MAX = 4_096;
