/**
 * A classic queue's master process on its home node: enqueues (with
 * x-max-length / x-overflow and TTL), the message store of a durable queue,
 * deliveries to consumers with prefetch and manual or automatic acks, and,
 * when a mirroring policy applies, replication of every message to every
 * mirror (https://www.rabbitmq.com/docs/ha: "Messages published to the queue
 * are replicated to all mirrors"). A publisher confirm goes out once every
 * mirror has the message and, for a persistent message in a durable queue,
 * once it is written here, and fsynced where the release fsyncs
 * (classic-persistence.ts).
 */
import { assert } from "../../kernel/index.js";
import { classicQueueVersionOf, type HaPolicyDefinition, type QueueDeclaration, type RabbitMqConfig } from "./config.js";
import { isFsyncedBeforeConfirm } from "./classic-persistence.js";
import { ConsumerSet, type QueueConsumer } from "./consumer-set.js";
import { MirrorSet } from "./mirror-set.js";
import type { ChannelRef, NodeMessage, PublishBody } from "./protocol.js";
import { QueueContent } from "./queue-content.js";
import type { QueueHost } from "./queue-host.js";
import type { QueueSegment } from "./queue-segment.js";
import { QueueStore, type FsyncPolicy } from "./queue-store.js";
import { CreditGrants } from "./credit-flow.js";
import type { ErlangProcess } from "./erlang-schedulers.js";

interface PendingConfirm {
  from: ChannelRef;
  pubSeq: number;
  count: number;
  seqEnd: number;
  /** Store records that must be durable first (0: nothing to wait for). */
  recordsNeeded: number;
  /** Store records whose write must have returned first (a write blocked at the dirty limit holds the confirm). */
  recordsWritten: number;
}

interface EnqueueWork {
  from: ChannelRef;
  body: PublishBody;
  expiresAtNs: number;
}

export class ClassicMaster {
  readonly content: QueueContent;
  private seqNext: number;
  private readonly store: QueueStore | null;
  private durableRecords = 0;
  /** The queue's Erlang process: its work runs on the node's schedulers, one job at a time. */
  readonly process: ErlangProcess;
  private readonly grants = new CreditGrants();
  private readonly pending: PendingConfirm[] = [];
  readonly consumers: ConsumerSet;
  readonly mirrors: MirrorSet;
  private isStopped = false;
  private readonly applyEnqueueBound = (work: EnqueueWork): void => this.applyEnqueue(work);
  private readonly sendDeliveryBound = (delivery: { to: string; message: Deliver }): void => void this.host.send(delivery.to, delivery.message);
  private readonly expiryTimerBound = (): void => this.onExpiryTimer();
  private expiryTimerAtNs = -1;

  constructor(
    private readonly host: QueueHost,
    readonly declaration: QueueDeclaration,
    policy: HaPolicyDefinition | null,
    inherited: { content: QueueContent; seqNext: number; store: QueueStore | null } | null,
  ) {
    const name = declaration.name;
    this.process = host.schedulers.spawn(`${name} master`);
    if (inherited !== null) {
      this.content = inherited.content;
      this.seqNext = inherited.seqNext;
      this.store = inherited.store;
    } else if (declaration.durable) {
      this.store = new QueueStore(host.disk, storePath(name), { onDurable: (n) => this.onDurable(n), onWritten: () => this.onWritten() }, fsyncPolicyOf(declaration, host.config));
      const recovered = this.store.recover();
      this.content = recovered.content;
      this.seqNext = recovered.seqNext;
    } else {
      this.store = null;
      this.content = new QueueContent();
      this.seqNext = 0;
    }
    // An inherited store (a promoted mirror's) still reports to the mirror: it reports to this master now.
    if (this.store !== null) this.store.listener = { onDurable: (n) => this.onDurable(n), onWritten: () => this.onWritten() };
    this.durableRecords = this.store?.recordCount ?? 0;
    this.consumers = new ConsumerSet();
    this.mirrors = new MirrorSet(host, name, policy, () => this.oldestLiveSeq(), () => this.seqNext);
  }

  get name(): string {
    return this.declaration.name;
  }

  get readyCount(): number {
    return this.content.count;
  }

  get unackedCount(): number {
    return this.consumers.unackedCount;
  }

  /** Stops for good (node down, demoted): later events are ignored. */
  stop(): void {
    this.isStopped = true;
    this.process.exit();
    this.mirrors.stop();
  }

  // ------------------------------------------------------------------ publish

  enqueue(from: ChannelRef, body: PublishBody, expiresAtNs: number): void {
    if (this.isStopped) return;
    const cpu = this.host.cpu;
    const cost = body.count * (cpu.queueEnqueueNs + body.bytesEach * cpu.byteNs + this.mirrors.size * cpu.masterPerMirrorNs);
    this.process.run(cost, this.applyEnqueueBound, { from, body, expiresAtNs }, body.count * body.bytesEach);
  }

  private applyEnqueue(work: EnqueueWork): void {
    if (this.isStopped) return;
    const { body } = work;
    this.grantCredit(work.from, body.count);
    // The queue process judges the length when it handles the publish, in
    // turn (rabbit_amqqueue_process), not when the publish arrives: a burst
    // that arrives together must not all pass against the same old length.
    // https://www.rabbitmq.com/docs/maxlength#overflow-behaviour: with confirms, rejected publishes are nacked.
    if (this.isRejectPublish() && this.content.count + body.count > this.declaration.arguments!["x-max-length"]!) {
      this.host.mark("rabbit.queue.reject-publish");
      this.reply(work.from, body.pubSeq, body.count, "reject");
      return;
    }
    const segment: QueueSegment = {
      seq: this.seqNext,
      idFirst: body.idFirst,
      count: body.count,
      bytesEach: body.bytesEach,
      persistent: body.persistent,
      expiresAtNs: work.expiresAtNs,
      redelivered: false,
    };
    let recordsNeeded = 0;
    let recordsWritten = 0;
    if (this.store !== null && body.persistent) {
      recordsNeeded = this.store.appendPublish(segment);
      if (recordsNeeded < 0) {
        this.reply(work.from, body.pubSeq, body.count, "nack");
        return;
      }
      recordsWritten = this.store.recordCount;
      // The write blocked in balance_dirty_pages: the queue process is stuck in it, its mailbox (and so credit flow) backs up.
      if (this.store.isBlocked) this.process.suspend();
    }
    this.seqNext += body.count;
    this.content.push(segment);
    this.mirrors.replicate(segment);
    this.pending.push({ from: work.from, pubSeq: body.pubSeq, count: body.count, seqEnd: this.seqNext, recordsNeeded, recordsWritten });
    this.applyMaxLength();
    this.armExpiry(segment.expiresAtNs);
    this.tryConfirm();
    this.tryDeliver();
  }

  /** credit_flow:ack: every MORE_CREDIT_AFTER messages handled, the channel may send that many more. */
  private grantCredit(from: ChannelRef, count: number): void {
    const credit = this.grants.noteHandled(from.node, from.channel, count);
    if (credit > 0) this.host.send(from.node, { kind: "credit-bump", queue: this.name, channel: from.channel, node: this.host.node.name, role: "master", credit });
  }

  private isRejectPublish(): boolean {
    return this.declaration.arguments?.["x-max-length"] !== undefined && this.declaration.arguments["x-overflow"] === "reject-publish";
  }

  private applyMaxLength(): void {
    const maxLength = this.declaration.arguments?.["x-max-length"];
    // reject-publish never drops (rabbit_amqqueue_process:maybe_drop_head): requeued messages may take the queue past its limit.
    if (maxLength === undefined || this.content.count <= maxLength || this.isRejectPublish()) return;
    // drop-head (the default): the oldest ready messages are discarded (dead-lettered if configured).
    for (const dropped of this.content.dropHead(this.content.count - maxLength)) this.forget(dropped, "queue.max-length-drop");
  }

  // ------------------------------------------------------------------ confirms

  private onDurable(records: number): void {
    this.durableRecords = records;
    this.tryConfirm();
  }

  private onWritten(): void {
    if (this.store !== null && !this.store.isBlocked) this.process.resume();
    this.tryConfirm();
  }

  private get writtenRecords(): number {
    return this.store === null ? Number.MAX_SAFE_INTEGER : this.store.writtenRecords;
  }

  onMirrorAck(mirror: string, seqEnd: number, isSyncReply: boolean): void {
    if (this.isStopped) return;
    this.mirrors.onAck(mirror, seqEnd, isSyncReply);
    this.tryConfirm();
  }

  private tryConfirm(): void {
    const mirrorSeqEnd = this.mirrors.ackedSeqEnd();
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      if (head.recordsNeeded > this.durableRecords || head.seqEnd > mirrorSeqEnd || head.recordsWritten > this.writtenRecords) break;
      this.pending.shift();
      this.reply(head.from, head.pubSeq, head.count, "ack");
    }
  }

  private reply(to: ChannelRef, pubSeqFirst: number, count: number, outcome: "ack" | "nack" | "reject"): void {
    this.host.send(to.node, { kind: "enqueue-result", queue: this.name, channel: to.channel, pubSeqFirst, count, outcome });
  }

  // ------------------------------------------------------------------ consumers

  addConsumer(from: ChannelRef, prefetch: number, autoAck: boolean): void {
    if (this.isStopped) return;
    this.consumers.add(from, prefetch, autoAck);
    this.host.send(from.node, { kind: "consume-result", queue: this.name, channel: from.channel, error: "" });
    this.tryDeliver();
  }

  removeConsumer(from: ChannelRef): void {
    if (this.isStopped) return;
    this.content.requeue(this.consumers.remove(from));
    this.tryDeliver();
  }

  /** Every consumer on a node that went away: its unacked messages are requeued (redelivered). */
  removeConsumersOn(node: string): void {
    if (this.isStopped) return;
    this.content.requeue(this.consumers.removeOnNode(node));
    this.tryDeliver();
  }

  settle(from: ChannelRef, deliveryTag: number): void {
    if (this.isStopped) return;
    const segment = this.consumers.settle(from, deliveryTag);
    if (segment !== null) {
      this.forget(segment, "");
      // Settling costs the queue process: what it spends delays the work behind it.
      this.process.run(segment.count * this.host.cpu.queueSettleNs, noop, null);
    }
    this.tryDeliver();
  }

  private tryDeliver(): void {
    if (this.isStopped) return;
    for (const dropped of this.content.dropExpired(this.host.node.now)) this.forget(dropped, "queue.ttl-expired");
    while (!this.content.isEmpty) {
      const consumer = this.consumers.nextWithCapacity();
      if (consumer === null) break;
      const segment = this.content.take(this.consumers.capacityOf(consumer));
      assert(segment !== null, "non-empty content gave nothing");
      this.deliver(consumer, segment);
    }
    this.mirrors.checkManualSync();
  }

  private deliver(consumer: QueueConsumer, segment: QueueSegment): void {
    const deliveryTag = this.consumers.noteDelivery(consumer, segment);
    const message: Deliver = { kind: "deliver", queue: this.name, channel: consumer.ref.channel, deliveryTag, segment: { ...segment } };
    // The consumer's state changes now; the message leaves once the queue process has spent its CPU on it.
    this.process.run(segment.count * (this.host.cpu.queueDeliverNs + segment.bytesEach * this.host.cpu.byteNs), this.sendDeliveryBound, { to: consumer.ref.node, message });
    // Automatic acknowledgement: the message counts as delivered the moment it is sent (https://www.rabbitmq.com/docs/confirms#acknowledgement-modes).
    if (consumer.autoAck) this.forget(segment, "");
  }

  /** The message leaves the queue for good: removed from the store and from every mirror. */
  private forget(segment: QueueSegment, mark: string): void {
    if (mark !== "") this.host.trace.record(mark, this.name, segment.count);
    if (this.store !== null && segment.persistent) this.store.append({ op: "del", seq: segment.seq, count: segment.count });
    this.mirrors.remove(segment.seq, segment.count);
  }

  private oldestLiveSeq(): number {
    const ready = this.content.headSeq;
    const unacked = this.consumers.oldestUnackedSeq();
    if (ready < 0) return unacked < 0 ? this.seqNext : unacked;
    return unacked < 0 ? ready : Math.min(ready, unacked);
  }

  /** Every message the queue still holds (ready and unacked), for the final read and for synchronising mirrors. */
  liveSegments(): QueueSegment[] {
    return [...this.consumers.unackedSegments(), ...this.content.snapshot()].sort((a, b) => a.seq - b.seq);
  }

  // ------------------------------------------------------------------ TTL

  private armExpiry(expiresAtNs: number): void {
    if (expiresAtNs < 0) return;
    if (this.expiryTimerAtNs >= 0 && this.expiryTimerAtNs <= expiresAtNs) return;
    this.expiryTimerAtNs = expiresAtNs;
    this.host.node.after(Math.max(0, expiresAtNs - this.host.node.now), this.expiryTimerBound);
  }

  private onExpiryTimer(): void {
    this.expiryTimerAtNs = -1;
    if (this.isStopped) return;
    this.tryDeliver();
    const next = this.content.isEmpty ? -1 : this.content.snapshotHeadExpiry();
    if (next >= 0) this.armExpiry(next);
  }

  /** Mirrors changed (node up or down): adjust, synchronise if automatic, publish the record. */
  reconcileMirrors(): void {
    if (this.isStopped) return;
    this.mirrors.reconcile(() => this.liveSegments(), (bytes) => this.process.run(bytes * this.host.cpu.byteNs * 4, noop, null));
    this.tryConfirm();
  }

  checkInvariants(): void {
    assert(this.content.count >= 0, "negative ready count");
    for (let i = 1; i < this.pending.length; i++) assert(this.pending[i - 1]!.seqEnd <= this.pending[i]!.seqEnd, "confirms out of order");
  }
}

/** The release's rule for this queue's confirms (classic-persistence.ts). */
export function fsyncPolicyOf(declaration: QueueDeclaration, config: RabbitMqConfig): FsyncPolicy {
  const queueVersion = classicQueueVersionOf(declaration, config);
  return (messageBytes) => isFsyncedBeforeConfirm(config.version, queueVersion, messageBytes, config.queue_index_embed_msgs_below);
}

type Deliver = Extract<NodeMessage, { kind: "deliver" }>;

function noop(): void {}

export function storePath(queue: string): string {
  return `rabbitmq/queues/${queue}/store`;
}

