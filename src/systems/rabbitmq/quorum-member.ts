/**
 * One member of a quorum queue (https://www.rabbitmq.com/docs/quorum-queues):
 * a Raft replica whose state machine is the queue (rabbit_fifo). Enqueues
 * and settlements are Raft commands, so a message is confirmed to the
 * publisher only once a majority has it on disk. The leader serves
 * consumers; deliveries are not replicated, so after a leader change every
 * unsettled message is ready again on the new leader and is delivered again
 * (at-least-once: duplicates, never loss).
 *
 * A leader change does not fail the publishes in flight: as
 * rabbit_fifo_client does (it keeps pending commands and resends them to the
 * new leader on leader_change / not_leader), a member that loses the
 * leadership, or receives a publish while no leader is known, holds the
 * publish and passes it to the leader once one is known; the state machine
 * remembers each enqueuer's (channel's) applied publishes
 * (applied-publishes.ts), so a resend of one that was already applied is
 * confirmed without a second copy, and one still uncommitted in the new
 * leader's log waits for that entry. Not modelled: consumers keeping their checked-out messages across
 * a leader change (rabbit_fifo replicates checkouts); here they are
 * requeued and delivered again.
 */
import type { RngStream } from "../../kernel/rng.js";
import type { Trace } from "../../kernel/trace.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import type { QueueDeclaration } from "./config.js";
import { AppliedPublishes } from "./applied-publishes.js";
import { ConsumerSet } from "./consumer-set.js";
import type { ChannelRef, PublishBody, QuorumCommand } from "./protocol.js";
import { QueueContent } from "./queue-content.js";
import { type QueueSegment } from "./queue-segment.js";
import { RaftMember, type RaftHost, type RaftRole } from "./raft/raft-member.js";
import type { RaftMessage } from "./raft/raft-messages.js";
import type { ErlangProcess } from "./erlang-schedulers.js";
import type { RabbitBroker } from "./broker.js";

/** A publish on its way into the log: waiting for the queue's CPU, for its commit, or for a leader (rabbit_fifo_client's resend). */
interface PendingEnqueue {
  from: ChannelRef;
  body: PublishBody;
  expiresAtNs: number;
}

const COMMAND_HEADER_BYTES = 48;
const TRIGGER_ELECTION_DELAY_NS = 50_000_000;

export class QuorumMember implements RaftHost<QuorumCommand> {
  readonly content = new QueueContent();
  private seqNext = 0;
  readonly consumers = new ConsumerSet();
  private raft: RaftMember<QuorumCommand> | null = null;
  private readonly pending = new Map<number, PendingEnqueue>();
  /** Publishes held until a leader is known (after a step-down, or while an election runs). */
  private awaitingLeader: PendingEnqueue[] = [];
  /** rabbit_fifo's enqueuers: each channel's publishes applied (the same on every member). */
  private readonly applied = new AppliedPublishes();
  /** The member's Erlang process (the Ra server): its work runs on the node's schedulers, one job at a time. */
  readonly process: ErlangProcess;
  private isStopped = false;
  private isLeaderNow = false;
  readonly rng: RngStream;
  private readonly proposeBound = (work: PendingEnqueue): void => this.propose(work);
  private readonly raftMessageBound = (received: { from: string; message: RaftMessage<QuorumCommand> }): void => {
    if (!this.isStopped) this.raft?.onMessage(received.from, received.message);
  };

  constructor(
    private readonly broker: RabbitBroker,
    readonly declaration: QueueDeclaration,
    private readonly members: readonly string[],
  ) {
    this.rng = broker.rng(`raft:${declaration.name}`);
    this.process = broker.schedulers.spawn(`${declaration.name} quorum`);
  }

  get name(): string {
    return this.declaration.name;
  }

  /** The queue has a message TTL (x-message-ttl): its in-memory index costs more per message. */
  get hasTtl(): boolean {
    return this.declaration.arguments?.["x-message-ttl"] !== undefined;
  }

  get node(): WorldNode {
    return this.broker.node;
  }

  get disk(): Disk {
    return this.broker.disk;
  }

  get trace(): Trace {
    return this.broker.trace;
  }

  get leaderId(): string | null {
    return this.raft?.leaderId ?? null;
  }

  get isLeader(): boolean {
    return this.isLeaderNow && !this.isStopped;
  }

  get raftMember(): RaftMember<QuorumCommand> | null {
    return this.raft;
  }

  start(): void {
    const config = this.broker.config;
    this.raft = new RaftMember<QuorumCommand>({
      group: this.name,
      id: this.broker.node.name,
      members: this.members,
      timing: {
        electionTimeoutNsMin: config.raftElectionTimeoutNsMin,
        electionTimeoutNsMax: config.raftElectionTimeoutNsMax,
        heartbeatIntervalNs: config.raftHeartbeatIntervalNs,
        appendEntriesBatchMax: 128,
      },
      host: this,
      commandBytes: (command) => (command.op === "enqueue" ? COMMAND_HEADER_BYTES + command.segment.count * (command.segment.bytesEach + 16) : COMMAND_HEADER_BYTES),
    });
    this.raft.start();
    // A queue declared for the first time: its declaring node (the first member) triggers the first election,
    // as RabbitMQ does after declaring, once its links have had a moment to open.
    if (this.raft.term === 0 && this.members[0] === this.broker.node.name) this.node.after(TRIGGER_ELECTION_DELAY_NS, () => this.raft?.triggerElection());
  }

  stop(): void {
    this.isStopped = true;
    this.process.exit();
  }

  // ------------------------------------------------------------ RaftHost

  /** Ra runs over Erlang distribution: one TCP connection per node pair, counted by the broker. */
  connectionEpoch(to: string): number {
    return this.broker.connectionEpoch(to);
  }

  send(to: string, message: RaftMessage<QuorumCommand>, bytes: number): void {
    if (!this.isStopped) this.broker.send(to, { kind: "raft", queue: this.name, message, bytes });
  }

  /**
   * Raft messages reach the Ra server through its mailbox, in order: a
   * follower spends CPU on each message it appends, everything else waits
   * its turn behind the work already queued.
   */
  onRaft(from: string, message: RaftMessage<QuorumCommand>): void {
    if (this.isStopped) return;
    let costNs = 0;
    let bytes = 0;
    if (message.kind === "append-entries") {
      for (const entry of message.entries) {
        if (entry.command?.op !== "enqueue") continue;
        const segment = entry.command.segment;
        costNs += segment.count * (this.broker.cpu.quorumFollowerMessageNs + segment.bytesEach * this.broker.cpu.byteNs);
        bytes += segment.count * segment.bytesEach;
      }
    }
    // What a follower appends goes through the node's WAL (its memory tables) as well.
    if (bytes > 0) this.broker.noteWalAppend(bytes);
    this.process.run(costNs, this.raftMessageBound, { from, message }, bytes);
  }

  apply(index: number, _term: number, command: QuorumCommand): void {
    if (command.op === "enqueue") {
      this.applied.add(command.from, command.pubSeq, command.segment.count);
      const segment: QueueSegment = { ...command.segment, seq: this.seqNext, redelivered: false };
      this.seqNext += segment.count;
      this.content.push(segment);
      const maxLength = this.declaration.arguments?.["x-max-length"];
      if (maxLength !== undefined && this.content.count > maxLength && this.declaration.arguments?.["x-overflow"] !== "reject-publish") {
        this.content.dropHead(this.content.count - maxLength);
      }
      const waiting = this.pending.get(index);
      if (waiting !== undefined) {
        this.pending.delete(index);
        this.reply(waiting, "ack");
      }
    } else {
      this.content.removeSeqs(command.seq, command.count);
    }
    if (this.isLeader) this.tryDeliver();
  }

  onRoleChange(role: RaftRole, term: number, leaderId: string | null): void {
    const wasLeader = this.isLeaderNow;
    this.isLeaderNow = role === "leader";
    this.trace.record("quorum.role", `${this.name}@${this.broker.node.name}`, role === "leader" ? 2 : role === "candidate" ? 1 : 0, term);
    if (wasLeader && !this.isLeaderNow) this.stepDown();
    if (this.isLeaderNow && !wasLeader) {
      this.broker.mark("rabbit.quorum.leader-elected");
      // Tell the cluster where the queue is served now, so other nodes route publishes straight here.
      const record = { ...this.broker.record(this.name) };
      record.epoch = Math.max(record.epoch + 1, term);
      record.leader = this.broker.node.name;
      this.broker.publishRecord(record);
    }
    if (this.isLeaderNow && leaderId !== null) this.tryDeliver();
    if (leaderId !== null && this.awaitingLeader.length > 0) this.passHeldToLeader();
  }

  /** A leader is known: the held publishes go to it (or are handled here, if it is this member). */
  private passHeldToLeader(): void {
    const held = this.awaitingLeader;
    this.awaitingLeader = [];
    this.broker.mark("rabbit.quorum.publish-resent");
    for (const publish of held) this.enqueue(publish.from, publish.body, publish.expiresAtNs);
  }

  /** Leadership lost: unanswered publishes go to the next leader (resent, deduplicated there); consumers must re-subscribe on it. */
  private stepDown(): void {
    this.awaitingLeader.push(...this.pending.values());
    this.pending.clear();
    const returned = this.consumers.removeAllWithRefs();
    this.content.requeue(returned.segments);
    for (const ref of returned.refs) this.broker.send(ref.node, { kind: "consume-result", queue: this.name, channel: ref.channel, error: "leader-changed" });
  }

  // ------------------------------------------------------------ operations

  enqueue(from: ChannelRef, body: PublishBody, expiresAtNs: number): void {
    if (this.isStopped) return;
    if (!this.isLeader) {
      const leader = this.leaderId;
      if (leader !== null && leader !== this.broker.node.name && this.broker.send(leader, { kind: "enqueue", queue: this.name, from, body, expiresAtNs })) {
        this.broker.send(from.node, { kind: "enqueue-forwarded", queue: this.name, channel: from.channel, pubSeqFirst: body.pubSeq, node: leader });
      } else this.awaitingLeader.push({ from, body, expiresAtNs });
      return;
    }
    // A resend of a publish this queue already applied: confirmed, never enqueued twice.
    if (this.applied.has(from, body.pubSeq, body.count)) {
      this.broker.mark("rabbit.quorum.publish-deduplicated");
      return this.reply({ from, body, expiresAtNs }, "ack");
    }
    // A resend of one still uncommitted in this leader's log (the old leader replicated it here): wait for that entry.
    const logged = this.uncommittedIndexOf(from, body.pubSeq);
    if (logged > 0) {
      if (!this.pending.has(logged)) this.pending.set(logged, { from, body, expiresAtNs });
      return;
    }
    const maxLength = this.declaration.arguments?.["x-max-length"];
    if (maxLength !== undefined && this.declaration.arguments?.["x-overflow"] === "reject-publish" && this.content.count + body.count > maxLength) {
      this.reply({ from, body, expiresAtNs }, "reject");
      return;
    }
    const cpu = this.broker.cpu;
    this.process.run(body.count * (cpu.quorumLeaderMessageNs + body.bytesEach * cpu.byteNs), this.proposeBound, { from, body, expiresAtNs }, body.count * body.bytesEach);
  }

  private propose(work: PendingEnqueue): void {
    const { from, body } = work;
    if (this.isStopped || this.raft === null) return;
    const segment: QueueSegment = { seq: -1, idFirst: body.idFirst, count: body.count, bytesEach: body.bytesEach, persistent: true, expiresAtNs: work.expiresAtNs, redelivered: false };
    const index = this.raft.propose({ op: "enqueue", from, pubSeq: body.pubSeq, segment });
    if (index === "not-leader") {
      // The leadership went while the publish waited for the queue's CPU: it goes to the next leader.
      this.awaitingLeader.push(work);
      if (this.leaderId !== null) this.passHeldToLeader();
      return;
    }
    if (typeof index !== "number") {
      this.reply(work, "nack");
      return;
    }
    this.pending.set(index, work);
    this.broker.noteWalAppend(body.count * body.bytesEach);
  }

  addConsumer(from: ChannelRef, prefetch: number, autoAck: boolean): void {
    if (this.isStopped) return;
    if (!this.isLeader) {
      // Not forwarded: the channel must talk to the leader itself (its acks go there); it retries once the record names the leader.
      this.broker.send(from.node, { kind: "consume-result", queue: this.name, channel: from.channel, error: "not-leader" });
      return;
    }
    this.consumers.add(from, prefetch, autoAck);
    this.broker.send(from.node, { kind: "consume-result", queue: this.name, channel: from.channel, error: "" });
    this.tryDeliver();
  }

  removeConsumer(from: ChannelRef): void {
    this.content.requeue(this.consumers.remove(from));
    if (this.isLeader) this.tryDeliver();
  }

  removeConsumersOn(node: string): void {
    this.content.requeue(this.consumers.removeOnNode(node));
    if (this.isLeader) this.tryDeliver();
  }

  settle(from: ChannelRef, deliveryTag: number): void {
    const segment = this.consumers.settle(from, deliveryTag);
    if (segment !== null) this.proposeSettle(segment);
    if (this.isLeader) this.tryDeliver();
  }

  private proposeSettle(segment: QueueSegment): void {
    if (this.raft === null || !this.isLeader) return;
    this.raft.propose({ op: "settle", seq: segment.seq, count: segment.count });
  }

  private tryDeliver(): void {
    // x-message-ttl (quorum queues support it since RabbitMQ 3.10): the leader drops expired messages at the
    // head and replicates the removal as a settlement, so every member's state machine agrees.
    for (const expired of this.content.dropExpired(this.node.now)) {
      this.trace.record("queue.ttl-expired", this.name, expired.count);
      this.proposeSettle(expired);
    }
    while (!this.content.isEmpty) {
      const consumer = this.consumers.nextWithCapacity();
      if (consumer === null) return;
      const segment = this.content.take(this.consumers.capacityOf(consumer))!;
      const deliveryTag = this.consumers.noteDelivery(consumer, segment);
      this.broker.send(consumer.ref.node, { kind: "deliver", queue: this.name, channel: consumer.ref.channel, deliveryTag, segment: { ...segment } });
      if (consumer.autoAck) this.proposeSettle(segment);
    }
  }

  private reply(waiting: PendingEnqueue, outcome: "ack" | "nack" | "reject"): void {
    this.broker.send(waiting.from.node, { kind: "enqueue-result", queue: this.name, channel: waiting.from.channel, pubSeqFirst: waiting.body.pubSeq, count: waiting.body.count, outcome });
  }

  /**
   * The index of an uncommitted enqueue of this channel's publish that an
   * earlier leader put in this member's log, or 0. Only entries of earlier
   * terms can be such: the scan stops at the first of this term, so once the
   * leader's no-op commits it costs nothing.
   */
  private uncommittedIndexOf(from: ChannelRef, pubSeq: number): number {
    const raft = this.raft;
    if (raft === null) return 0;
    const last = raft.log.lastIndex;
    for (let index = raft.commitIndex + 1; index <= last; index++) {
      const entry = raft.log.entryAt(index);
      if (entry.term >= raft.term) break;
      const command = entry.command;
      if (command !== null && command.op === "enqueue" && command.pubSeq === pubSeq && command.from.node === from.node && command.from.channel === from.channel) return index;
    }
    return 0;
  }

  /** Every message not yet settled, as this member's state machine holds it. */
  liveSegments(): QueueSegment[] {
    const now = this.node.now;
    const ready = this.content.snapshot().filter((s) => s.expiresAtNs < 0 || s.expiresAtNs > now);
    return [...this.consumers.unackedSegments(), ...ready].sort((a, b) => a.seq - b.seq);
  }
}
