/**
 * One member of one Raft group: follower, candidate or leader (Ongaro &
 * Ousterhout 2014, Figure 2), as RabbitMQ's Ra deviates from it
 * (rabbitmq/ra docs/internals/INTERNALS.md):
 * - pre-vote before every election (Raft thesis §9.6; Ra's pre_vote state,
 *   src/ra_server.erl): the pre-candidate asks with its current term and
 *   stands only with a quorum of "yes", granted when its log is at least as
 *   up to date (Ra's process_pre_vote/3 checks only that, not leader liveness);
 * - followers acknowledge only fsynced entries and hint where to continue on
 *   a rejection; the leader pipelines (raft-leader.ts) and appends a no-op on
 *   election so earlier terms' entries commit (Raft §5.4.2).
 * Ra notices a dead leader through Erlang monitors and aten; with no Erlang
 * distribution here, the leader heartbeats instead (aten itself is a 100 ms
 * heartbeat, rabbitmq/aten src/aten.app.src). Term and vote are fsynced
 * before any answer that depends on them and before RequestVote goes out.
 */
import { assert } from "../kernel/index.js";
import { ElectionTimer } from "./raft-election-timer.js";
import { RaftLeader } from "./raft-leader.js";
import { RaftLog, type RaftLogListener } from "./raft-log.js";
import { checkedTiming, dialectOf, raftMessageBytes, type RaftDialect, type AppendEntries, type PreVoteRequest, type RaftHost, type RaftLogEntry } from "./raft-messages.js";
import type { RaftMemberOptions, RaftMessage, RaftRole, RaftTiming, VoteRequest } from "./raft-messages.js";

// The contract with the host lives with the messages; callers import it from here too.
export { RA_DEFAULT_TIMING, type RaftHost, type RaftMemberOptions, type RaftRole, type RaftTiming } from "./raft-messages.js";

/** A reply that must wait until the meta fsync covering `seq` completes. */
interface HeldReply<C> {
  to: string;
  message: RaftMessage<C>;
  seq: number;
}

export class RaftMember<C> implements RaftLogListener {
  readonly group: string;
  readonly id: string;
  readonly members: readonly string[];
  readonly timing: Readonly<Required<RaftTiming>>;
  readonly host: RaftHost<C>;
  readonly quorum: number;
  private readonly commandBytes: (command: C) => number;
  /** How this Raft differs from Ra's, if it does (DLedger's acks on write, start range, leader quorum check). */
  readonly dialect: RaftDialect;
  private readonly subject: string;
  private logNow: RaftLog<C> | null = null;
  private roleNow: RaftRole = "follower";
  private leaderNow: string | null = null;
  private commitIndexNow = 0;
  private lastApplied = 0;
  private leaderState: RaftLeader<C> | null = null;
  // Elections.
  private isPreVoting = false;
  private preVoteToken = 0;
  private readonly votes: boolean[];
  /** A candidate whose own vote is not yet durable: RequestVote waits for it. */
  private isCampaignPending = false;
  private readonly electionTimer: ElectionTimer;
  // Follower acknowledgements: entries verified against the current leader, and what was acked.
  private ackTerm = 0;
  private ackVerified = 0;
  private ackSent = 0;
  private held: HeldReply<C>[] = [];
  private notified = { role: "" as string, term: -1, leader: null as string | null };

  constructor(options: RaftMemberOptions<C>) {
    const timing = checkedTiming(options.timing);
    assert(options.members.includes(options.id), `member ${options.id} is not in ${options.members.join(",")}`);
    assert(new Set(options.members).size === options.members.length, "duplicate member ids");
    this.group = options.group;
    this.id = options.id;
    this.members = [...options.members];
    this.timing = timing;
    this.host = options.host;
    this.commandBytes = options.commandBytes;
    this.dialect = dialectOf(options);
    this.quorum = Math.floor(this.members.length / 2) + 1;
    this.votes = this.members.map(() => false);
    this.electionTimer = new ElectionTimer(this.host, this.timing, this);
    this.subject = `${options.group}/${options.id}`;
  }

  // ------------------------------------------------------------ inspection

  get role(): RaftRole {
    return this.roleNow;
  }
  get term(): number {
    return this.log.currentTerm;
  }
  get leaderId(): string | null {
    return this.leaderNow;
  }
  get commitIndex(): number {
    return this.commitIndexNow;
  }
  get lastIndex(): number {
    return this.log.lastIndex;
  }
  /** The persistent state (votedFor, durableIndex, ...): for the leader's replication (raft-leader.ts), checkers and tests. */
  get log(): RaftLog<C> {
    assert(this.logNow !== null, `${this.subject}: used before start()`);
    return this.logNow;
  }

  /** The log, entries 1..lastIndex (command null = no-op); the objects are immutable and shared. */
  entries(): readonly RaftLogEntry<C>[] {
    return this.log.all();
  }

  // ------------------------------------------------------------ lifecycle

  /** At every process start, on a fresh object: recover from disk, become a follower, arm the election timer. */
  start(): void {
    assert(this.logNow === null, `${this.subject}: started twice`);
    this.logNow = new RaftLog<C>({
      disk: this.host.disk,
      directory: `raft/${this.group}/${this.id}`,
      commandBytes: this.commandBytes,
      listener: this,
      trace: this.host.trace,
      marks: this.host.marks,
      isAckOnWrite: this.dialect.isAckOnWrite,
    });
    this.log.recover();
    this.electionTimer.arm(this.dialect.startElectionTimeoutNs);
    this.notifyRole();
  }

  /** Leader only: appends the command and replicates it; returns its log index. */
  propose(command: C): number | "not-leader" | "disk-full" {
    if (this.roleNow !== "leader") return "not-leader";
    if (!this.log.append(this.log.currentTerm, command)) return "disk-full";
    this.leaderState!.scheduleFlush();
    return this.log.lastIndex;
  }

  onMessage(from: string, message: RaftMessage<C>): void {
    assert(from !== this.id && this.members.includes(from), `${this.subject}: message from non-member ${from}`);
    if (message.term > this.log.currentTerm) {
      // Any higher term ends a leadership or a candidacy (§5.1); Ra does the same
      // for a pre-vote of a higher term (handle_leader(#pre_vote_rpc{}), "abdicates").
      this.becomeFollower(message.term, message.kind === "append-entries" ? from : null);
    }
    switch (message.kind) {
      case "pre-vote":
        return this.onPreVote(from, message);
      case "pre-vote-reply":
        if (this.isPreVoting && message.granted && message.token === this.preVoteToken && message.term === this.log.currentTerm) this.countVote(from);
        return;
      case "request-vote":
        return this.onVoteRequest(from, message);
      case "request-vote-reply":
        if (this.roleNow === "candidate" && !this.isCampaignPending && message.granted && message.term === this.log.currentTerm) this.countVote(from);
        return;
      case "append-entries":
        return this.onAppendEntries(from, message);
      case "append-entries-reply":
        if (this.roleNow === "leader" && message.term === this.log.currentTerm) this.leaderState!.onReply(from, message);
        return;
    }
  }

  // ------------------------------------------------------------ elections

  /** ElectionTimerOwner: a leader's timer does nothing. */
  isElecting(): boolean {
    return this.roleNow !== "leader";
  }

  /** ElectionTimerOwner: no leader heard from within the timeout. */
  onElectionTimeout(): void {
    if (this.roleNow === "candidate") this.startElection();
    else this.startPreVote();
  }

  /** Elect now, not at the timeout: Ra's ra:trigger_election, which RabbitMQ calls where a quorum queue is declared. */
  triggerElection(): void {
    if (this.logNow === null || this.roleNow === "leader") return;
    this.startPreVote();
  }

  /** Ra: a follower's election timeout calls a pre-vote (handle_follower(election_timeout, ...)). */
  private startPreVote(): void {
    this.host.marks?.hit("raft.pre-vote");
    this.isPreVoting = true;
    // The incarnation in the token keeps a late reply to a previous incarnation's round from counting.
    this.preVoteToken = this.host.node.incarnation * 1_000_000 + ((this.preVoteToken + 1) % 1_000_000);
    this.setLeader(null);
    this.votes.fill(false);
    this.electionTimer.arm();
    const request: PreVoteRequest = { kind: "pre-vote", term: this.log.currentTerm, token: this.preVoteToken, lastLogIndex: this.log.lastIndex, lastLogTerm: this.log.lastTerm };
    for (const member of this.members) if (member !== this.id) this.host.send(member, request, raftMessageBytes(request));
    this.countVote(this.id);
  }

  /** Stands for term + 1: the vote for itself is fsynced before any RequestVote goes out. */
  private startElection(): void {
    this.host.marks?.hit("raft.election");
    this.isPreVoting = false;
    this.log.persistMeta(this.log.currentTerm + 1, this.id);
    this.roleNow = "candidate";
    this.votes.fill(false);
    this.isCampaignPending = true;
    this.electionTimer.arm();
    this.setLeader(null);
    // Sends the RequestVotes now if the vote is already durable (never with a real fsync, but cheap to allow).
    this.onMetaDurable();
  }

  private countVote(member: string): void {
    this.votes[this.members.indexOf(member)] = true;
    let count = 0;
    for (const vote of this.votes) if (vote) count++;
    if (count < this.quorum) return;
    if (this.isPreVoting) this.startElection();
    else if (this.roleNow === "candidate") this.becomeLeader();
  }

  private onPreVote(from: string, request: PreVoteRequest): void {
    // A leader never grants one in its own term (Ra's handle_leader "enforce leadership"): the asker missed heartbeats.
    const granted = this.roleNow !== "leader" && request.term >= this.log.currentTerm && this.isUpToDate(request.lastLogIndex, request.lastLogTerm);
    if (!granted) this.host.marks?.hit("raft.pre-vote.denied");
    this.reply(from, { kind: "pre-vote-reply", term: this.log.currentTerm, token: request.token, granted });
  }

  private onVoteRequest(from: string, request: VoteRequest): void {
    const votedFor = this.log.votedFor;
    const granted =
      request.term === this.log.currentTerm && this.roleNow === "follower" && (votedFor === null || votedFor === from) && this.isUpToDate(request.lastLogIndex, request.lastLogTerm);
    if (granted) {
      if (votedFor === null) this.log.persistMeta(request.term, from);
      // Granting a vote resets the election timer (Figure 2, Followers).
      this.electionTimer.push();
    }
    this.reply(from, { kind: "request-vote-reply", term: this.log.currentTerm, granted });
  }

  /** §5.4.1: the candidate's log is at least as up to date as ours. */
  private isUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    const myTerm = this.log.lastTerm;
    return lastLogTerm > myTerm || (lastLogTerm === myTerm && lastLogIndex >= this.log.lastIndex);
  }

  private becomeLeader(): void {
    this.host.marks?.hit("raft.leader");
    this.roleNow = "leader";
    this.isCampaignPending = false;
    this.electionTimer.stop();
    this.setLeader(this.id);
    this.host.trace.record("raft.leader", this.subject, this.log.currentTerm, this.log.lastIndex);
    this.leaderState = new RaftLeader<C>(this);
    this.notifyRole();
  }

  /** The leader heard from no quorum for leaderQuorumCheckNs (raft-leader.ts): it steps down in its own term. */
  stepDownWithoutQuorum(): void {
    this.becomeFollower(this.log.currentTerm, null);
  }

  private becomeFollower(term: number, leader: string | null): void {
    if (term > this.log.currentTerm) this.log.persistMeta(term, null);
    const wasFollower = this.roleNow === "follower";
    if (this.leaderState !== null) {
      this.leaderState.stop();
      this.leaderState = null;
    }
    this.roleNow = "follower";
    this.isPreVoting = false;
    this.isCampaignPending = false;
    this.setLeader(leader);
    if (!wasFollower || !this.electionTimer.isArmed) this.electionTimer.arm();
  }

  // ------------------------------------------------------------ log replication (follower side)

  private onAppendEntries(from: string, request: AppendEntries<C>): void {
    const log = this.log;
    if (request.term < log.currentTerm) {
      this.reply(from, { kind: "append-entries-reply", term: log.currentTerm, success: false, matchIndex: 0, nextIndexHint: 0 });
      return;
    }
    if (this.roleNow === "leader") assert(false, `${this.subject}: two leaders in term ${request.term}: ${this.id} and ${from}`);
    if (this.roleNow === "candidate") this.becomeFollower(request.term, from);
    if (this.leaderNow === null) this.setLeader(from);
    else assert(this.leaderNow === from, `${this.subject}: leaders ${this.leaderNow} and ${from} in term ${request.term}`);
    this.isPreVoting = false;
    this.electionTimer.push();
    if (this.ackTerm !== log.currentTerm) {
      this.ackTerm = log.currentTerm;
      this.ackVerified = 0;
      this.ackSent = 0;
    }

    const prev = request.prevLogIndex;
    if (prev > log.lastIndex || log.termAt(prev) !== request.prevLogTerm) {
      this.host.marks?.hit("raft.append.rejected");
      this.reply(from, { kind: "append-entries-reply", term: log.currentTerm, success: false, matchIndex: 0, nextIndexHint: this.conflictHint(prev) });
      return;
    }
    const entries = request.entries;
    let verified = prev;
    let appended = false;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      assert(entry.index === prev + 1 + k, `${this.subject}: entry ${k} of an AppendEntries after ${prev} has index ${entry.index}`);
      if (entry.index <= log.lastIndex) {
        if (log.termAt(entry.index) === entry.term) {
          verified = entry.index;
          continue;
        }
        // §5.3: a conflicting suffix goes; it can never hold a committed entry, unless acks came before fsync.
        if (entry.index <= this.commitIndexNow) this.loseCommitted(entry.index);
        log.truncateAfter(entry.index - 1);
      }
      if (!log.appendEntry(entry)) break;
      appended = true;
      verified = entry.index;
    }
    if (appended) log.sync();
    this.ackVerified = Math.max(this.ackVerified, verified);
    const commit = Math.min(request.leaderCommit, verified);
    if (commit > this.commitIndexNow) {
      this.commitIndexNow = commit;
      this.applyCommitted();
    }
    // Acknowledge only what counts (fsynced, or written with isAckOnWrite); the rest when its fsync completes.
    if (log.ackableIndex >= verified) this.sendAck(from, true);
  }

  /** Where the leader should continue: past our log end, or at the start of the conflicting term (above our commit). */
  private conflictHint(prev: number): number {
    const log = this.log;
    if (prev > log.lastIndex) return log.lastIndex + 1;
    assert(prev > this.commitIndexNow || this.dialect.isAckOnWrite, `${this.subject}: mismatch at ${prev} <= commit ${this.commitIndexNow}`);
    const floor = Math.min(this.commitIndexNow, prev - 1);
    const conflictTerm = log.termAt(prev);
    let index = prev;
    while (index - 1 > floor && log.termAt(index - 1) === conflictTerm) index--;
    return index;
  }

  /**
   * Acks before fsync (DLedger): power losses can take entries this member saw committed, and a leader elected
   * without them sends others in their place; the host's state machine starts again (onAppliedLost).
   */
  private loseCommitted(index: number): void {
    assert(this.dialect.isAckOnWrite, `${this.subject}: conflict at ${index} <= commit ${this.commitIndexNow}`);
    this.host.marks?.hit("raft.committed-entry-replaced");
    this.host.trace.record("raft.committed-replaced", this.subject, index, this.commitIndexNow);
    this.commitIndexNow = index - 1;
    if (this.lastApplied < index) return;
    this.lastApplied = 0;
    this.host.onAppliedLost?.();
    this.applyCommitted();
  }

  private sendAck(to: string, always: boolean): void {
    const match = Math.min(this.ackVerified, this.log.ackableIndex);
    if (!always && match <= this.ackSent) return;
    this.ackSent = Math.max(this.ackSent, match);
    this.reply(to, { kind: "append-entries-reply", term: this.log.currentTerm, success: true, matchIndex: match, nextIndexHint: 0 });
  }

  // ------------------------------------------------------------ durability callbacks (RaftLogListener)

  onLogDurable(): void {
    if (this.roleNow === "leader") this.leaderState!.advanceCommit();
    else if (this.roleNow === "follower" && this.leaderNow !== null && this.ackTerm === this.log.currentTerm) this.sendAck(this.leaderNow, false);
  }

  onMetaDurable(): void {
    const durable = this.log.metaDurableSeq;
    if (this.isCampaignPending && durable >= this.log.metaRequiredSeq) {
      this.isCampaignPending = false;
      const request: VoteRequest = { kind: "request-vote", term: this.log.currentTerm, lastLogIndex: this.log.lastIndex, lastLogTerm: this.log.lastTerm };
      for (const member of this.members) if (member !== this.id) this.host.send(member, request, raftMessageBytes(request));
      this.countVote(this.id);
    }
    if (this.held.length === 0) return;
    const waiting: HeldReply<C>[] = [];
    const ready = this.held;
    this.held = waiting;
    for (const reply of ready) {
      if (reply.seq <= durable) this.host.send(reply.to, reply.message, raftMessageBytes(reply.message));
      else waiting.push(reply);
    }
  }

  /** Every answer carries our term (and may carry a vote): it waits until they are durable. */
  private reply(to: string, message: RaftMessage<C>): void {
    // A (term, vote) the disk had no room for is written as soon as there is something to answer.
    this.log.retryMeta();
    const seq = this.log.metaRequiredSeq;
    if (this.log.metaDurableSeq >= seq) this.host.send(to, message, raftMessageBytes(message));
    else this.held.push({ to, message, seq });
  }

  // ------------------------------------------------------------ commit and apply

  /** Called by the leader state when a quorum's durable match index advanced. */
  commitTo(index: number): void {
    assert(index > this.commitIndexNow && index <= this.log.lastIndex, `${this.subject}: commit ${this.commitIndexNow} -> ${index}`);
    // §5.4.2 (Figure 8): counting replicas commits only an entry of the leader's own term.
    assert(this.log.termAt(index) === this.log.currentTerm, `${this.subject}: commit by counting of ${index} of term ${this.log.termAt(index)}`);
    this.commitIndexNow = index;
    this.applyCommitted();
  }

  private applyCommitted(): void {
    while (this.lastApplied < this.commitIndexNow) {
      const entry = this.log.entryAt(++this.lastApplied);
      // A no-op advances lastApplied but is never handed to the state machine.
      if (entry.command !== null) this.host.apply(entry.index, entry.term, entry.command);
    }
  }

  // ------------------------------------------------------------ timers and notifications

  private setLeader(leader: string | null): void {
    this.leaderNow = leader;
    this.notifyRole();
  }

  private notifyRole(): void {
    const term = this.log.currentTerm;
    const last = this.notified;
    if (last.role === this.roleNow && last.term === term && last.leader === this.leaderNow) return;
    this.notified = { role: this.roleNow, term, leader: this.leaderNow };
    this.host.trace.record(`raft.${this.roleNow}`, this.subject, term, this.log.lastIndex, this.commitIndexNow);
    this.host.onRoleChange?.(this.roleNow, term, this.leaderNow);
  }

  /** TigerBeetle-style: what must hold between events. */
  checkInvariants(): void {
    const log = this.log;
    log.checkInvariants();
    assert(this.commitIndexNow <= log.lastIndex, `${this.subject}: commit ${this.commitIndexNow} > last ${log.lastIndex}`);
    assert(this.lastApplied === this.commitIndexNow, `${this.subject}: applied ${this.lastApplied} != commit ${this.commitIndexNow}`);
    assert(this.ackSent <= log.lastIndex || this.ackTerm !== log.currentTerm, `${this.subject}: acked ${this.ackSent} > last ${log.lastIndex}`);
    if (this.roleNow === "leader") {
      assert(this.leaderNow === this.id && log.votedFor === this.id, `${this.subject}: leader with leader ${this.leaderNow} vote ${log.votedFor}`);
      assert(!this.isPreVoting && !this.electionTimer.isArmed, `${this.subject}: leader with an election running`);
      this.leaderState!.checkInvariants();
    } else {
      assert(this.leaderState === null, `${this.subject}: ${this.roleNow} with leader state`);
      assert(this.electionTimer.isArmed, `${this.subject}: ${this.roleNow} without an election timer`);
    }
    if (this.roleNow === "candidate") assert(log.votedFor === this.id && this.leaderNow === null, `${this.subject}: candidate voted for ${log.votedFor}`);
  }
}
