/**
 * The node-side routing of channel operations: which node serves a queue
 * now (a classic queue's master, a quorum queue's leader as last heard),
 * forwarding to it, and passing its answers back to the right channel.
 */
import { route, type ClusterPlan } from "./cluster-plan.js";
import type { Channel } from "./channel.js";
import type { NodeMessage, PublishBody } from "./protocol.js";
import type { RabbitBroker } from "./broker.js";
import type { RouteResult, Router } from "./router.js";

export class BrokerRouter implements Router {
  /** Each queue's x-message-ttl (ms), looked up once rather than per publish. */
  private readonly ttlMsByQueue: ReadonlyMap<string, number>;

  constructor(
    private readonly broker: RabbitBroker,
    private readonly plan: ClusterPlan,
  ) {
    const ttls = new Map<string, number>();
    for (const queue of plan.queues) {
      const ttl = queue.arguments?.["x-message-ttl"];
      if (ttl !== undefined) ttls.set(queue.name, ttl);
    }
    this.ttlMsByQueue = ttls;
  }

  get nodeName(): string {
    return this.broker.node.name;
  }

  get nowNs(): number {
    return this.broker.node.now;
  }

  get isPublishBlocked(): boolean {
    return this.broker.isPublishBlocked;
  }

  /** The node serving the queue in this node's view, or null when it is down. */
  servingNode(queue: string): string | null {
    const record = this.broker.record(queue);
    // A master across a partition that never healed in Mnesia's view is still reachable: its process answers.
    if (record.type === "classic") return record.master !== null && this.broker.isConnected(record.master) ? record.master : null;
    const local = this.broker.roles.quorumLeaderHint(queue);
    const hinted = local ?? record.leader;
    if (hinted !== null && this.broker.isNodeUp(hinted)) return hinted;
    return record.members.find((m) => this.broker.isNodeUp(m)) ?? null;
  }

  publish(channel: Channel, exchange: string, routingKey: string, body: PublishBody): RouteResult {
    const queues = route(this.plan, exchange, routingKey);
    const nodes: string[] = [];
    const quorumQueues: string[] = [];
    let failReason = "";
    const now = this.broker.node.now;
    for (const queue of queues) {
      const node = this.servingNode(queue);
      if (node === null) {
        failReason = "queue-down";
        this.broker.trace.record("rabbit.publish-queue-down", queue, body.count);
        continue;
      }
      if (this.broker.send(node, { kind: "enqueue", queue, from: channel.ref, body, expiresAtNs: this.expiresAtNs(queue, body, now) })) {
        nodes.push(node);
        if (this.broker.record(queue).type === "quorum") quorumQueues.push(queue);
        this.noteCreditSpent(channel, queue, node, body.count, now);
      } else failReason = "queue-down";
      this.copyToMirrors(channel, queue, body);
    }
    return { nodes, failReason, quorumQueues };
  }

  /**
   * RabbitMQ 3.8–3.13 mirrored classic queues: the channel sends each publish
   * to the master and also to every mirror (rabbit_classic_queue:deliver, to
   * the master's pid and the mirrors' pids), while the master replicates it
   * too. So a message crosses the cluster about 2(N−1) times, not N−1. The
   * mirrors are the ones this node's copy of the queue record lists; the
   * copy to a mirror on this node itself crosses no link.
   */
  private copyToMirrors(channel: Channel, queue: string, body: PublishBody): void {
    const record = this.broker.record(queue);
    if (record.type !== "classic" || record.mirrors.length === 0) return;
    const me = this.broker.node.name;
    for (const mirror of record.mirrors) {
      if (mirror === me || mirror === record.master || !this.broker.isNodeUp(mirror)) continue;
      if (this.broker.send(mirror, { kind: "mirror-channel-copy", queue, epoch: record.epoch, from: channel.ref, body })) channel.credit.noteSent(queue, mirror, "mirror", body.count, this.broker.node.now);
    }
  }

  /** Credit flow (credit-flow.ts): a classic queue process's credit, or a quorum queue's pending commands. */
  private noteCreditSpent(channel: Channel, queue: string, node: string, count: number, nowNs: number): void {
    const wasBlocked = channel.credit.isBlocked;
    if (this.broker.record(queue).type === "quorum") channel.credit.noteQuorumSent(queue, count, nowNs);
    else channel.credit.noteSent(queue, node, "master", count, nowNs);
    if (!wasBlocked && channel.credit.isBlocked) this.broker.mark("rabbit.channel.flow");
  }

  /** The message's expiry: the shorter of the queue's x-message-ttl and its own expiration; -1 for none. */
  private expiresAtNs(queue: string, body: PublishBody, nowNs: number): number {
    const ttlMs = this.ttlMsByQueue.get(queue);
    const ms = ttlMs === undefined ? body.expirationMs : body.expirationMs < 0 ? ttlMs : Math.min(ttlMs, body.expirationMs);
    return ms < 0 ? -1 : nowNs + ms * 1_000_000;
  }

  resendToQuorum(channel: Channel, queue: string, body: PublishBody, routedAtNs: number): string | null {
    const node = this.servingNode(queue);
    if (node === null) return null;
    const now = this.broker.node.now;
    if (!this.broker.send(node, { kind: "enqueue", queue, from: channel.ref, body, expiresAtNs: this.expiresAtNs(queue, body, routedAtNs) })) return null;
    this.broker.mark("rabbit.channel.quorum-resend");
    this.noteCreditSpent(channel, queue, node, body.count, now);
    return node;
  }

  consume(channel: Channel, queue: string, prefetch: number, autoAck: boolean): string | null {
    const node = this.servingNode(queue);
    if (node === null || !this.broker.send(node, { kind: "consume", queue, from: channel.ref, prefetch, autoAck })) {
      channel.send({ kind: "consume-failed", queue, reason: "queue-down" });
      return null;
    }
    return node;
  }

  settle(channel: Channel, queue: string, node: string, deliveryTag: number): void {
    this.broker.send(node, { kind: "settle", queue, from: channel.ref, deliveryTag });
  }

  /**
   * A checkout this channel was told had failed ("not leader") was committed
   * after all (Raft commits an old leader's entry under the next leader), and
   * the queue delivers on it. rabbit_fifo_client settles with the queue's
   * current leader whatever the consume's answer, so the channel takes the
   * subscription back: the consumer's acks must reach the queue, or its
   * prefetch window stays full and the queue stops delivering.
   */
  private adoptCheckout(channel: Channel, queue: string): void {
    channel.failedQuorumConsume = null;
    channel.consumerQueue = queue;
    channel.consumerNode = this.quorumMemberUp(queue);
    this.broker.mark("rabbit.channel.failed-checkout-adopted");
  }

  quorumMemberUp(queue: string): string | null {
    return this.broker.record(queue).type === "quorum" ? this.servingNode(queue) : null;
  }

  cancel(channel: Channel, queue: string, node: string): void {
    this.broker.send(node, { kind: "cancel", queue, from: channel.ref });
  }

  /** Answers from queue processes to this node's channels. */
  onChannelMessage(message: NodeMessage): void {
    switch (message.kind) {
      case "enqueue-result":
        this.broker.channels.get(message.channel)?.receiveEnqueueResult(message);
        return;
      case "credit-bump":
        this.broker.channels.get(message.channel)?.grantCredit(message.queue, message.node, message.role, message.credit);
        return;
      case "enqueue-forwarded":
        this.broker.channels.get(message.channel)?.onEnqueueForwarded(message.pubSeqFirst, message.node);
        return;
      case "consume-result": {
        const channel = this.broker.channels.get(message.channel);
        if (channel === undefined) return;
        if (message.error === "") {
          // A checkout applied again (a restarted leader replaying its log) is not a new subscription.
          if (!channel.isAwaitingConsumeOk) return;
          channel.isAwaitingConsumeOk = false;
          channel.deliveredTagMax = 0;
          channel.send({ kind: "consume-ok", queue: message.queue });
        }
        else {
          if (message.error === "not-leader") channel.failedQuorumConsume = message.queue;
          channel.consumerQueue = null;
          channel.consumerNode = null;
          channel.isAwaitingConsumeOk = false;
          channel.send({ kind: "consume-failed", queue: message.queue, reason: message.error });
        }
        return;
      }
      case "deliver": {
        const channel = this.broker.channels.get(message.channel);
        const s = message.segment;
        if (channel === undefined) {
          // The client is gone: the queue learns it from the cancel its channel sent, and requeues.
          return;
        }
        // Delivery tags only grow within a subscription: one the consumer had already is a repeat (a new quorum
        // leader's resend, or a replayed log), dropped as rabbit_fifo_client drops msg ids it has seen.
        if (message.deliveryTag <= channel.deliveredTagMax) return;
        channel.deliveredTagMax = message.deliveryTag;
        if (channel.consumerQueue === null && channel.failedQuorumConsume === message.queue) this.adoptCheckout(channel, message.queue);
        channel.deliver({ kind: "basic.deliver", queue: message.queue, deliveryTag: message.deliveryTag, idFirst: s.idFirst, count: s.count, bytesEach: s.bytesEach, redelivered: s.redelivered });
        return;
      }
      default:
        return;
    }
  }
}
