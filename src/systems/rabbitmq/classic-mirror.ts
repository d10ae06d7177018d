/**
 * A mirror of a classic queue on one node: it keeps a copy of the master's
 * messages (persistent ones in its own message store, for a durable queue),
 * drops what the master settled, and acknowledges each publish once stored.
 * A mirror that starts (a new node, a restart) starts empty: "a node that
 * rejoins a cluster ... will throw away any durable local contents it
 * already has and start empty" (https://www.rabbitmq.com/docs/ha#unsynchronised-mirrors).
 */
import type { QueueDeclaration } from "./config.js";
import type { QueueHost } from "./queue-host.js";
import { QueueContent } from "./queue-content.js";
import type { QueueSegment } from "./queue-segment.js";
import { QueueStore } from "./queue-store.js";
import { CreditGrants } from "./credit-flow.js";
import { GmMember, type GmMessage } from "./gm-ring.js";
import type { ErlangProcess } from "./erlang-schedulers.js";
import type { ChannelRef, PublishBody } from "./protocol.js";
import { fsyncPolicyOf, storePath } from "./classic-master.js";

interface PendingAck {
  seqEnd: number;
  recordsNeeded: number;
  /** Store records whose write must have returned first (a write blocked at the dirty limit holds the ack). */
  recordsWritten: number;
  isSync: boolean;
}

export class ClassicMirror {
  readonly content = new QueueContent();
  seqNext = 0;
  /** End of the last message applied from the current master (what an ack vouches for). */
  private appliedSeqEnd = 0;
  readonly store: QueueStore | null;
  private durableRecords = 0;
  /** Publishes that reached this mirror straight from a channel (copyToMirrors), for tests and reports. */
  channelCopies = 0;
  /** What the synchronisation batches so far must have durable before the last batch is acknowledged. */
  private syncRecordsNeeded = 0;
  /** The mirror's Erlang process (with its GM member folded in). */
  readonly process: ErlangProcess;
  private readonly grants = new CreditGrants();
  /** This mirror's place on its master's GM ring. */
  private readonly gm: GmMember;
  /** The last GM broadcast applied, per master instance (group): a broadcast sent again after a failure is applied once. */
  private readonly gmSeen = new Map<string, number>();
  private readonly pending: PendingAck[] = [];
  private isStopped = false;
  private readonly applyRemoveBound = (range: { seq: number; count: number }): void => this.applyRemove(range);
  private readonly applyBound = (segment: QueueSegment): void => this.applyPublish(segment);
  private readonly applyChannelCopyBound = (copy: { from: ChannelRef; count: number }): void => this.applyChannelCopy(copy);
  /** When this mirror started (empty): it lacks every message published before. */
  readonly startedAtNs: number;

  constructor(
    private readonly host: QueueHost,
    readonly declaration: QueueDeclaration,
    private master: string,
  ) {
    this.startedAtNs = host.node.now;
    this.process = host.schedulers.spawn(`${declaration.name} mirror`);
    this.gm = new GmMember(host, declaration.name);
    if (declaration.durable) {
      this.store = new QueueStore(host.disk, storePath(declaration.name), { onDurable: (n) => this.onDurable(n), onWritten: () => this.onWritten() }, fsyncPolicyOf(declaration, host.config));
      this.store.reset();
    } else {
      this.store = null;
    }
  }

  get name(): string {
    return this.declaration.name;
  }

  get masterNode(): string {
    return this.master;
  }

  stop(): void {
    this.isStopped = true;
    this.process.exit();
  }

  /**
   * Another mirror was promoted and lists this one as synchronised: keep the
   * messages and follow the new master (https://www.rabbitmq.com/docs/ha,
   * "Master failure and mirror promotion": the oldest mirror becomes master,
   * the others stay its mirrors, still synchronised). Acks still owed to the
   * dead master are dropped; the new master counts from its own sequence.
   */
  retarget(master: string): void {
    this.master = master;
    this.pending.length = 0;
    this.appliedSeqEnd = 0;
  }

  /** Hands the content and store to a new master (this mirror is promoted). */
  handOver(): { content: QueueContent; seqNext: number; store: QueueStore | null } {
    this.isStopped = true;
    this.process.exit();
    return { content: this.content, seqNext: this.seqNext, store: this.store };
  }

  /**
   * A GM message on the ring: applied once if it comes from this mirror's
   * master, passed on to the next member whoever sent it, kept until its
   * acknowledgement comes round (gm-ring.ts).
   */
  onGm(message: GmMessage): void {
    if (this.isStopped) return;
    if (message.phase === "ack") {
      this.gm.forward(message);
      return;
    }
    const seen = this.gmSeen.get(message.group) ?? 0;
    if (message.gmSeq > seen && message.origin === this.master && message.payload !== null) {
      this.gmSeen.set(message.group, message.gmSeq);
      // The message object goes on round the ring: this mirror keeps a copy of its own (queues split segments in place).
      if (message.payload.op === "publish") this.onPublish(message.origin, { ...message.payload.segment });
      else this.onRemove(message.origin, message.payload.seq, message.payload.count);
    }
    this.gm.forward(message);
  }

  /** A node is down: GM broadcasts this mirror passed to it go to the next member alive. */
  onPeerDown(node: string): void {
    if (!this.isStopped) this.gm.onPeerDown(node);
  }

  private onPublish(from: string, segment: QueueSegment): void {
    if (this.isStopped || from !== this.master) return;
    const cpu = this.host.cpu;
    this.process.run(segment.count * (cpu.mirrorMessageNs + segment.bytesEach * cpu.byteNs), this.applyBound, segment, segment.count * segment.bytesEach);
  }

  private applyPublish(segment: QueueSegment): void {
    if (this.isStopped) return;
    this.content.push(segment);
    this.seqNext = Math.max(this.seqNext, segment.seq + segment.count);
    this.appliedSeqEnd = segment.seq + segment.count;
    // A full disk drops the record; the master's confirm rests on its own store (the mirror acks what it applied).
    const recordsNeeded = this.store !== null && segment.persistent ? Math.max(0, this.store.appendPublish(segment)) : 0;
    this.suspendIfBlocked();
    // The ack covers what this master sent up to here, not this replica's highest sequence: after a
    // promotion a mirror may hold a tail the new master never had, and must not vouch for its own.
    this.pending.push({ seqEnd: this.appliedSeqEnd, recordsNeeded, recordsWritten: this.store?.recordCount ?? 0, isSync: false });
    this.flushAcks();
  }

  /**
   * The channel's copy of a publish (broker-router.ts copyToMirrors). In
   * RabbitMQ the mirror keeps it until the master's replication of the same
   * message arrives, and a mirror promoted before that publishes it itself
   * (rabbit_mirror_queue_slave's sender queues). Here the copy is traffic
   * only: the mirror drops it, and a publish whose master died before
   * replicating it stays unconfirmed (the publisher sees no confirm, where
   * RabbitMQ would enqueue and confirm it): never a false "confirmed".
   * It costs the mirror's CPU, and the mirror grants the channel credit
   * for it (the channel sends to mirrors with credit flow).
   */
  onChannelCopy(from: ChannelRef, body: PublishBody): void {
    if (this.isStopped) return;
    this.channelCopies++;
    const cpu = this.host.cpu;
    this.process.run(body.count * (cpu.mirrorChannelCopyNs + body.bytesEach * cpu.byteNs), this.applyChannelCopyBound, { from, count: body.count }, body.count * body.bytesEach);
  }

  private applyChannelCopy(copy: { from: ChannelRef; count: number }): void {
    const credit = this.grants.noteHandled(copy.from.node, copy.from.channel, copy.count);
    if (credit > 0) this.host.send(copy.from.node, { kind: "credit-bump", queue: this.name, channel: copy.from.channel, node: this.host.node.name, role: "mirror", credit });
  }

  private onRemove(from: string, seq: number, count: number): void {
    if (this.isStopped || from !== this.master) return;
    // Behind any publish still being processed: a removal must not overtake the publish it removes.
    this.process.run(count * this.host.cpu.mirrorRemoveNs, this.applyRemoveBound, { seq, count });
  }

  private applyRemove(range: { seq: number; count: number }): void {
    if (this.isStopped) return;
    const removed = this.content.removeSeqs(range.seq, range.count);
    if (removed > 0 && this.store !== null) this.store.append({ op: "del", seq: range.seq, count: range.count });
  }

  /** Synchronisation: the master's older messages, all at once. */
  onSync(from: string, segments: readonly QueueSegment[], isLast: boolean): void {
    if (this.isStopped || from !== this.master) return;
    const older = segments.map((s) => ({ ...s }));
    let recordsNeeded = this.syncRecordsNeeded;
    for (const segment of older) if (this.store !== null && segment.persistent) recordsNeeded = Math.max(recordsNeeded, this.store.appendPublish(segment));
    this.content.requeue(older, false);
    this.syncRecordsNeeded = recordsNeeded;
    if (!isLast) return;
    this.syncRecordsNeeded = 0;
    this.pending.push({ seqEnd: this.appliedSeqEnd, recordsNeeded, recordsWritten: this.store?.recordCount ?? 0, isSync: true });
    this.flushAcks();
  }

  private onDurable(records: number): void {
    this.durableRecords = records;
    this.flushAcks();
  }

  /** The mirror's process is stuck in a write blocked at the dirty limit: it applies nothing more until the write returns. */
  private suspendIfBlocked(): void {
    if (this.store !== null && this.store.isBlocked) this.process.suspend();
  }

  private onWritten(): void {
    if (this.store !== null && !this.store.isBlocked) this.process.resume();
    this.flushAcks();
  }

  private flushAcks(): void {
    if (this.isStopped) return;
    const writtenRecords = this.store === null ? Number.MAX_SAFE_INTEGER : this.store.writtenRecords;
    while (this.pending.length > 0 && this.pending[0]!.recordsNeeded <= this.durableRecords && this.pending[0]!.recordsWritten <= writtenRecords) {
      const head = this.pending.shift()!;
      this.host.send(this.master, { kind: "mirror-publish-ok", queue: this.name, epoch: 0, seqEnd: head.seqEnd, isSync: head.isSync });
    }
  }
}
