/**
 * One member of a quorum queue (https://www.rabbitmq.com/docs/quorum-queues):
 * a Raft replica whose state machine is the queue (rabbit_fifo,
 * rabbit-fifo.ts). Enqueues, checkouts, cancels and settlements are Raft
 * commands, so a message is confirmed to the publisher only once a majority
 * has it on disk, and every member knows which consumer holds which
 * message. The leader performs the effects: it sends deliveries, answers
 * publishers, monitors consumers' channels (a channel or its node gone: a
 * `down` or `cancel` command returns their messages, flagged redelivered)
 * and expires messages past their TTL. A new leader sends each consumer
 * what it holds again; the consumer's channel drops the delivery tags it
 * already had (rabbit_fifo_client asks the leader for the messages it
 * missed), so a leader change neither loses nor repeats a delivery.
 *
 * A leader change does not fail the publishes in flight: as
 * rabbit_fifo_client does (it keeps pending commands and resends them to the
 * new leader on leader_change / not_leader), a member that loses the
 * leadership, or receives a publish while no leader is known, holds the
 * publish and passes it to the leader once one is known; the state machine
 * remembers each enqueuer's (channel's) applied publishes
 * (applied-publishes.ts), so a resend of one that was already applied is
 * confirmed without a second copy, and one still uncommitted in the new
 * leader's log waits for that entry. Settlements and cancels that reach a
 * member that is not the leader are passed to the leader too.
 */
import type { RngStream } from "../../kernel/index.js";
import type { Trace } from "../../kernel/index.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import type { QueueDeclaration } from "./config.js";
import type { QueueConsumer } from "./consumer-set.js";
import type { ChannelRef, NodeMessage, PublishBody, QuorumCommand } from "./protocol.js";
import { RabbitFifo, type FifoEffects } from "./rabbit-fifo.js";
import { type QueueSegment } from "./queue-segment.js";
import { RaftMember, type RaftHost, type RaftRole } from "../../raft/raft-member.js";
import { uncommittedEnqueueIndex } from "./uncommitted-enqueue.js";
import type { RaftMessage } from "../../raft/raft-messages.js";
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

/** A settle or cancel held until a leader is known. */
type ConsumerOp = Extract<NodeMessage, { kind: "settle" | "cancel" }>;

export class QuorumMember implements RaftHost<QuorumCommand> {
  /** The state machine (the same on every member that applied the same entries). */
  readonly fifo: RabbitFifo;
  private raft: RaftMember<QuorumCommand> | null = null;
  private readonly pending = new Map<number, PendingEnqueue>();
  /** Publishes held until a leader is known (after a step-down, or while an election runs). */
  private awaitingLeader: PendingEnqueue[] = [];
  /** Settles and cancels waiting for a leader. */
  private awaitingLeaderOps: ConsumerOp[] = [];
  /** Consumer commands this leader proposed and has not applied: if it loses the leadership they may be cut from the log, so they go to the next leader. */
  private readonly proposedOps = new Map<number, QuorumCommand>();
  /** Nodes seen down whose consumers the leader has yet to return (a `down` command each). */
  private readonly downNodes = new Set<string>();
  private expiryTimerAtNs = -1;
  private readonly onExpiryTimerBound = (): void => this.onExpiryTimer();
  /** The leader's side of applying a command (the state machine's effects). */
  private readonly effects: FifoEffects = {
    delivered: (consumer, deliveryTag, segment) => this.onDelivered(consumer, deliveryTag, segment),
    expired: (segment) => {
      if (this.isLeader) this.trace.record("queue.ttl-expired", this.name, segment.count);
    },
    consumerAdded: (ref) => {
      if (!this.isLeader) return;
      this.broker.send(ref.node, { kind: "consume-result", queue: this.name, channel: ref.channel, error: "" });
      // The leader monitors the consumer's channel: one gone already (a log replayed after a restart) is cancelled.
      this.broker.send(ref.node, { kind: "monitor-channel", queue: this.name, channel: ref.channel });
    },
  };
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
    this.fifo = new RabbitFifo(declaration);
    this.process = broker.schedulers.spawn(`${declaration.name} quorum`);
  }

  get name(): string {
    return this.declaration.name;
  }

  get content(): RabbitFifo["content"] {
    return this.fifo.content;
  }

  get consumers(): RabbitFifo["consumers"] {
    return this.fifo.consumers;
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
    if (bytes > 0) this.broker.alarms.noteWalAppend(bytes);
    this.process.run(costNs, this.raftMessageBound, { from, message }, bytes);
  }

  apply(index: number, _term: number, command: QuorumCommand): void {
    this.proposedOps.delete(index);
    this.fifo.apply(command, this.effects);
    if (command.op === "enqueue") {
      const waiting = this.pending.get(index);
      if (waiting !== undefined) {
        this.pending.delete(index);
        this.reply(waiting, "ack");
      }
    }
    if (this.isLeader) this.armExpiry();
  }

  /** The state machine gave a consumer a message: the leader sends it (an automatic-ack consumer has it settled already). */
  private onDelivered(consumer: QueueConsumer, deliveryTag: number, segment: QueueSegment): void {
    if (!this.isLeader) return;
    this.broker.send(consumer.ref.node, { kind: "deliver", queue: this.name, channel: consumer.ref.channel, deliveryTag, segment: { ...segment } });
  }

  onRoleChange(role: RaftRole, term: number, leaderId: string | null): void {
    const wasLeader = this.isLeaderNow;
    this.isLeaderNow = role === "leader";
    this.trace.record("quorum.role", `${this.name}@${this.broker.node.name}`, role === "leader" ? 2 : role === "candidate" ? 1 : 0, term);
    if (wasLeader && !this.isLeaderNow) this.stepDown();
    if (this.isLeaderNow && !wasLeader) {
      this.broker.mark("rabbit.quorum.leader-elected");
      this.broker.clusterLog.record("leader", this.name, this.broker.node.name, term, "Raft leader elected");
      // Tell the cluster where the queue is served now, so other nodes route publishes straight here.
      const record = { ...this.broker.record(this.name) };
      record.epoch = Math.max(record.epoch + 1, term);
      record.leader = this.broker.node.name;
      this.broker.publishRecord(record);
    }
    // Raft is still switching roles here: proposals wait for the next event.
    if (this.isLeaderNow && !wasLeader) this.node.after(0, this.takeOverConsumersBound);
    if (leaderId !== null && this.awaitingLeader.length > 0) this.passHeldToLeader();
    if (leaderId !== null && this.awaitingLeaderOps.length > 0) this.node.after(0, this.passHeldOpsToLeaderBound);
  }

  private readonly takeOverConsumersBound = (): void => {
    if (this.isLeader) this.takeOverConsumers();
  };

  private readonly passHeldOpsToLeaderBound = (): void => {
    if (!this.isStopped && this.leaderId !== null) this.passHeldOpsToLeader();
  };

  /**
   * A new leader: it monitors every consumer's channel (a channel that is
   * gone is cancelled), returns the consumers of nodes seen down, sends each
   * consumer what it holds again (the channel keeps only tags it lacks) and
   * restarts the expiry timer.
   */
  private takeOverConsumers(): void {
    this.proposeDowns();
    for (const consumer of this.consumers.all) {
      this.broker.send(consumer.ref.node, { kind: "monitor-channel", queue: this.name, channel: consumer.ref.channel });
      this.broker.send(consumer.ref.node, { kind: "leader-change", queue: this.name, channel: consumer.ref.channel });
      for (const [deliveryTag, segment] of consumer.unacked) {
        this.broker.send(consumer.ref.node, { kind: "deliver", queue: this.name, channel: consumer.ref.channel, deliveryTag, segment: { ...segment } });
      }
    }
    this.armExpiry();
  }

  private passHeldOpsToLeader(): void {
    const held = this.awaitingLeaderOps;
    this.awaitingLeaderOps = [];
    for (const op of held) {
      if (op.kind === "settle") this.settle(op.from, op.deliveryTag);
      else this.removeConsumer(op.from);
    }
  }

  /** A leader is known: the held publishes go to it (or are handled here, if it is this member). */
  private passHeldToLeader(): void {
    const held = this.awaitingLeader;
    this.awaitingLeader = [];
    this.broker.mark("rabbit.quorum.publish-resent");
    for (const publish of held) this.enqueue(publish.from, publish.body, publish.expiresAtNs);
  }

  /** Leadership lost: unanswered publishes go to the next leader (resent, deduplicated there). Consumers stay: the state machine has them. */
  private stepDown(): void {
    this.awaitingLeader.push(...this.pending.values());
    this.pending.clear();
    // Consumer commands not applied yet may be cut from the log by the next leader: they go to it again
    // (applying one twice changes nothing: a settled tag, a cancelled or downed consumer is gone).
    for (const command of this.proposedOps.values()) {
      if (command.op === "settle") this.awaitingLeaderOps.push({ kind: "settle", queue: this.name, from: command.consumer, deliveryTag: command.deliveryTag });
      else if (command.op === "cancel") this.awaitingLeaderOps.push({ kind: "cancel", queue: this.name, from: command.consumer });
      else if (command.op === "down") this.downNodes.add(command.node);
      else if (command.op === "checkout") this.broker.send(command.consumer.node, { kind: "consume-result", queue: this.name, channel: command.consumer.channel, error: "not-leader" });
    }
    this.proposedOps.clear();
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
    if (this.fifo.hasApplied(from, body.pubSeq, body.count)) {
      this.broker.mark("rabbit.quorum.publish-deduplicated");
      return this.reply({ from, body, expiresAtNs }, "ack");
    }
    // A resend of one still uncommitted in this leader's log (the old leader replicated it here): wait for that entry.
    const logged = this.raft === null ? 0 : uncommittedEnqueueIndex(this.raft, from, body.pubSeq);
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
    const index = this.raft.propose({ op: "enqueue", from, pubSeq: body.pubSeq, segment, atNs: this.node.now });
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
    this.broker.alarms.noteWalAppend(body.count * body.bytesEach);
  }

  addConsumer(from: ChannelRef, prefetch: number, autoAck: boolean): void {
    if (this.isStopped) return;
    if (!this.isLeader || this.raft === null) {
      // Not forwarded: the channel must talk to the leader itself; it retries once the record names the leader.
      this.broker.send(from.node, { kind: "consume-result", queue: this.name, channel: from.channel, error: "not-leader" });
      return;
    }
    // A checkout is a command: the consumer exists, on every member, once it commits (the leader then answers consume-ok).
    const command: QuorumCommand = { op: "checkout", consumer: from, prefetch, autoAck, atNs: this.node.now };
    const index = this.raft.propose(command);
    if (typeof index === "number") this.proposedOps.set(index, command);
    else this.broker.send(from.node, { kind: "consume-result", queue: this.name, channel: from.channel, error: "not-leader" });
  }

  removeConsumer(from: ChannelRef): void {
    if (this.isStopped) return;
    if (this.isLeader) this.proposeOp({ op: "cancel", consumer: from, atNs: this.node.now });
    else this.passToLeader({ kind: "cancel", queue: this.name, from });
  }

  /** The node is down: consumers whose channels were on it are gone (the leader's monitors fire). */
  removeConsumersOn(node: string): void {
    if (this.isStopped) return;
    this.downNodes.add(node);
    if (this.isLeader) this.proposeDowns();
  }

  /** The answer to a monitor: the channel is gone, so its consumer is cancelled. */
  onChannelDown(ref: ChannelRef): void {
    if (this.isStopped || !this.isLeader || !this.consumers.has(ref)) return;
    this.proposeOp({ op: "cancel", consumer: ref, atNs: this.node.now });
  }

  settle(from: ChannelRef, deliveryTag: number): void {
    if (this.isStopped) return;
    if (this.isLeader) this.proposeOp({ op: "settle", consumer: from, deliveryTag, atNs: this.node.now });
    else this.passToLeader({ kind: "settle", queue: this.name, from, deliveryTag });
  }

  /** A settle or cancel that reached a member which is not the leader goes to the leader (held until one is known). */
  private passToLeader(op: ConsumerOp): void {
    const leader = this.leaderId;
    if (leader !== null && leader !== this.broker.node.name && this.broker.send(leader, op)) return;
    this.awaitingLeaderOps.push(op);
  }

  private proposeDowns(): void {
    for (const node of [...this.downNodes]) {
      this.downNodes.delete(node);
      // A leader monitors its consumers' channels from when it leads (rabbit_fifo re-monitors on leader change):
      // a node that was down while this member followed and is connected again has live channels, not down ones.
      if (this.broker.isConnected(node)) continue;
      if (this.consumers.all.some((c) => c.ref.node === node)) this.proposeOp({ op: "down", node, atNs: this.node.now });
    }
  }

  private proposeOp(command: QuorumCommand): void {
    if (this.raft === null || !this.isLeader) return;
    const index = this.raft.propose(command);
    if (typeof index === "number" && command.op !== "expire") this.proposedOps.set(index, command);
  }

  /** x-message-ttl: the leader proposes an `expire` when the oldest ready message's time is up (rabbit_fifo's timeout effect). */
  private armExpiry(): void {
    const expiresAtNs = this.content.isEmpty ? -1 : this.content.snapshotHeadExpiry();
    if (expiresAtNs < 0) return;
    if (this.expiryTimerAtNs >= 0 && this.expiryTimerAtNs <= expiresAtNs) return;
    this.expiryTimerAtNs = expiresAtNs;
    this.node.after(Math.max(0, expiresAtNs - this.node.now), this.onExpiryTimerBound);
  }

  private onExpiryTimer(): void {
    this.expiryTimerAtNs = -1;
    if (this.isStopped || !this.isLeader) return;
    this.proposeOp({ op: "expire", atNs: this.node.now });
  }

  private reply(waiting: PendingEnqueue, outcome: "ack" | "nack" | "reject"): void {
    this.broker.send(waiting.from.node, { kind: "enqueue-result", queue: this.name, channel: waiting.from.channel, pubSeqFirst: waiting.body.pubSeq, count: waiting.body.count, outcome });
  }

  /** Every message not yet settled and not past its TTL, as this member's state machine holds it. */
  liveSegments(): QueueSegment[] {
    const now = this.node.now;
    return this.fifo.liveSegments().filter((s) => s.expiresAtNs < 0 || s.expiresAtNs > now);
  }
}
