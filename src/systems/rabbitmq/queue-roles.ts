/**
 * The queue processes one node runs, by role: classic masters, classic
 * mirrors and quorum queue members. It starts them from the node's records,
 * follows record changes (a mirror added, a master elsewhere), and on
 * `nodedown` of a master decides whether this node's mirror is promoted:
 * the oldest mirror still reachable takes over, unless
 * `ha-promote-on-failure: when-synced` and it is not synchronised, in which
 * case the queue stays unavailable until the master's node returns
 * (https://www.rabbitmq.com/docs/ha#promotion-while-down).
 */
import { copyRecord } from "./queue-record.js";
import { declarationOf, haPolicyOf, type ClusterPlan } from "./cluster-plan.js";
import { ClassicMaster } from "./classic-master.js";
import { ClassicMirror } from "./classic-mirror.js";
import { QuorumMember } from "./quorum-member.js";
import type { NodeMessage } from "./protocol.js";
import type { RabbitBroker } from "./broker.js";

export class QueueRoles {
  readonly masters = new Map<string, ClassicMaster>();
  readonly mirrors = new Map<string, ClassicMirror>();
  readonly quorum = new Map<string, QuorumMember>();

  constructor(
    private readonly broker: RabbitBroker,
    private readonly plan: ClusterPlan,
  ) {}

  startAll(): void {
    for (const queue of this.plan.queues) {
      const record = this.broker.record(queue.name);
      if (queue.type === "quorum") {
        if (record.members.includes(this.me)) {
          const member = new QuorumMember(this.broker, queue, record.members);
          this.quorum.set(queue.name, member);
          member.start();
        }
        continue;
      }
      if (record.master === this.me) this.startMaster(queue.name, null);
      // A mirror is never restarted from its own disk: the master adds it back, empty.
    }
  }

  stopAll(): void {
    for (const master of this.masters.values()) master.stop();
    for (const mirror of this.mirrors.values()) mirror.stop();
    for (const member of this.quorum.values()) member.stop();
    this.masters.clear();
    this.mirrors.clear();
    this.quorum.clear();
  }

  quorumLeaderHint(queue: string): string | null {
    return this.quorum.get(queue)?.leaderId ?? null;
  }

  private get me(): string {
    return this.broker.node.name;
  }

  private startMaster(queue: string, inherited: ReturnType<ClassicMirror["handOver"]> | null, why = "master started"): ClassicMaster {
    const declaration = declarationOf(this.plan, queue);
    this.broker.clusterLog.record("leader", queue, this.me, this.broker.record(queue).epoch, why);
    const master = new ClassicMaster(this.broker, declaration, haPolicyOf(this.plan, declaration), inherited);
    this.masters.set(queue, master);
    const record = this.broker.record(queue);
    master.mirrors.adopt(record.mirrors.filter((n) => this.broker.isNodeUp(n)), record.synced);
    if (inherited !== null || record.master !== this.me) master.mirrors.publish();
    master.reconcileMirrors();
    return master;
  }

  onPeerUp(peer: string): void {
    for (const master of this.masters.values()) master.reconcileMirrors();
    void peer;
  }

  onPeerDown(peer: string): void {
    for (const master of this.masters.values()) {
      master.removeConsumersOn(peer);
      master.reconcileMirrors();
    }
    for (const member of this.quorum.values()) member.removeConsumersOn(peer);
    for (const master of this.masters.values()) master.mirrors.gm.onPeerDown(peer);
    for (const mirror of this.mirrors.values()) mirror.onPeerDown(peer);
    for (const [queue, mirror] of [...this.mirrors]) {
      if (mirror.masterNode !== peer) continue;
      this.considerPromotion(queue, mirror);
    }
  }

  private considerPromotion(queue: string, mirror: ClassicMirror): void {
    const record = this.broker.record(queue);
    const candidates = record.mirrors.filter((n) => this.broker.isNodeUp(n));
    const policy = haPolicyOf(this.plan, declarationOf(this.plan, queue));
    // A master that announced an orderly stop falls under ha-promote-on-shutdown (default when-synced),
    // one that just vanished under ha-promote-on-failure (default always): https://www.rabbitmq.com/docs/ha#promotion-while-down
    const promote = this.broker.isStopping(mirror.masterNode) ? (policy?.["ha-promote-on-shutdown"] ?? "when-synced") : (policy?.["ha-promote-on-failure"] ?? "always");
    // The oldest reachable mirror; with when-synced, the oldest synchronised one.
    const chosen = promote === "when-synced" ? candidates.find((n) => record.synced.includes(n)) : candidates[0];
    if (chosen === undefined && candidates[0] === this.me) {
      this.broker.trace.record("mirror.not-promoted", `${queue}@${this.me}`);
      this.broker.clusterLog.record("leader", queue, "", record.epoch, "no synchronised mirror to promote (ha-promote-on-failure when-synced): no master");
      this.broker.mark("rabbit.mirror.not-promoted");
    }
    if (chosen !== this.me) return;
    const isSynced = record.synced.includes(this.me);
    this.broker.trace.record(isSynced ? "mirror.promoted" : "mirror.promoted-unsynced", `${queue}@${this.me}`);
    this.broker.mark(isSynced ? "rabbit.mirror.promoted" : "rabbit.mirror.promoted-unsynced");
    this.broker.promotions.push({ queue, node: this.me, atNs: this.broker.node.now, isSynced, mirrorStartedAtNs: mirror.startedAtNs });
    this.mirrors.delete(queue);
    const next = copyRecord(record);
    // A new epoch: the promotion must win over the record the dead master last published.
    next.epoch++;
    next.mirrors = record.mirrors.filter((n) => n !== this.me);
    next.synced = record.synced.filter((n) => n !== this.me);
    next.master = this.me;
    this.broker.publishRecord(next);
    this.startMaster(queue, mirror.handOver(), isSynced ? "synchronised mirror promoted" : "unsynchronised mirror promoted (what it never had is gone)");
  }

  /** A newer record arrived from a peer. */
  onRecordChanged(queue: string): void {
    const record = this.broker.record(queue);
    if (record.type === "quorum") return;
    const master = this.masters.get(queue);
    if (master !== undefined && record.master !== this.me) {
      // Someone else is master now (a partition healed): this master is demoted and its messages dropped.
      this.broker.trace.record("master.demoted", `${queue}@${this.me}`);
      this.broker.clusterLog.record("truncation", queue, this.me, record.epoch, `master demoted: ${record.master ?? "another node"} won, this master's messages dropped`);
      this.broker.mark("rabbit.master.demoted");
      // Its consumers are cancelled (a consumer cancel notification), so they re-subscribe to the master that won.
      for (const ref of master.consumers.removeAllWithRefs().refs) this.broker.send(ref.node, { kind: "consume-result", queue, channel: ref.channel, error: "master-moved" });
      master.stop();
      this.masters.delete(queue);
    }
    const mirror = this.mirrors.get(queue);
    const isListed = record.mirrors.includes(this.me) && record.master !== null && record.master !== this.me;
    if (mirror !== undefined && isListed && mirror.masterNode !== record.master && record.synced.includes(this.me)) {
      // A fellow mirror was promoted and adopted this one as synchronised: it keeps its messages.
      this.broker.trace.record("mirror.follow", `${queue}@${this.me}`);
      mirror.retarget(record.master!);
      return;
    }
    if (mirror !== undefined && (!isListed || mirror.masterNode !== record.master)) {
      mirror.stop();
      this.mirrors.delete(queue);
    }
    if (isListed && !this.mirrors.has(queue)) {
      this.mirrors.set(queue, new ClassicMirror(this.broker, declarationOf(this.plan, queue), record.master!));
      this.broker.trace.record("mirror.start", `${queue}@${this.me}`);
    }
  }

  dispatch(from: string, message: NodeMessage): void {
    switch (message.kind) {
      case "enqueue": {
        const master = this.masters.get(message.queue);
        if (master !== undefined) master.enqueue(message.from, message.body, message.expiresAtNs);
        else if (this.quorum.has(message.queue)) this.quorum.get(message.queue)!.enqueue(message.from, message.body, message.expiresAtNs);
        else this.broker.send(message.from.node, { kind: "enqueue-result", queue: message.queue, channel: message.from.channel, pubSeqFirst: message.body.pubSeq, count: message.body.count, outcome: "nack" });
        return;
      }
      case "consume": {
        const target = this.masters.get(message.queue) ?? this.quorum.get(message.queue);
        if (target !== undefined) target.addConsumer(message.from, message.prefetch, message.autoAck);
        else this.broker.send(message.from.node, { kind: "consume-result", queue: message.queue, channel: message.from.channel, error: "not-found" });
        return;
      }
      case "settle":
        (this.masters.get(message.queue) ?? this.quorum.get(message.queue))?.settle(message.from, message.deliveryTag);
        return;
      case "cancel":
        (this.masters.get(message.queue) ?? this.quorum.get(message.queue))?.removeConsumer(message.from);
        return;
      case "gm":
        // The master gets its broadcasts back round the ring; a mirror applies and passes them on.
        if (message.origin === this.me) this.masters.get(message.queue)?.mirrors.onGmReturn(message);
        else this.mirrors.get(message.queue)?.onGm(message);
        return;
      case "mirror-channel-copy":
        this.mirrors.get(message.queue)?.onChannelCopy(message.from, message.body);
        return;
      case "mirror-sync":
        this.mirrors.get(message.queue)?.onSync(from, message.segments, message.isLast);
        return;
      case "mirror-publish-ok":
        this.masters.get(message.queue)?.onMirrorAck(from, message.seqEnd, message.isSync);
        return;
      case "raft":
        this.quorum.get(message.queue)?.onRaft(from, message.message);
        return;
      default:
        return;
    }
  }
}
