/**
 * A leader's side of log replication: one progress record per follower, the
 * heartbeat, and commit by counting durable matches.
 *
 * Each follower is in one of two modes (the shape of etcd/raft's Progress,
 * which fits Ra's behaviour as INTERNALS.md describes it):
 * - probing: where the follower's log ends is unknown. One AppendEntries is
 *   out at a time; a rejection's hint (the follower's lastIndex + 1, or the
 *   start of its conflicting term) moves nextIndex back in one round trip;
 * - replicating: entries are pipelined, nextIndex advancing as they are sent,
 *   up to pipelineEntriesMax unacknowledged entries (Ra's
 *   ?DEFAULT_MAX_PIPELINE_COUNT) in batches of appendEntriesBatchMax.
 * On a transport that may lose messages (datagrams), a follower that made no
 * progress over two heartbeat intervals, with entries out since before them,
 * goes back to probing from its match index. On a reliable one (the host's
 * connectionEpoch: Ra over Erlang distribution) that happens only if the
 * connection came up again since the entries went out: over a connection
 * that stayed up, a partition delays entries but loses none, and resending
 * would queue copies behind them. Stale replies are recognised by their hint
 * or match index and ignored.
 *
 * The leader's own match index is its durable (fsynced) index, and only
 * entries of its own term are committed by counting (Raft §5.4.2): the no-op
 * appended on election is what commits the entries of earlier terms.
 */
import { assert } from "../kernel/index.js";
import type { EventHandle } from "../kernel/index.js";
import type { RaftMember } from "./raft-member.js";
import { raftMessageBytes, type AppendEntries, type AppendEntriesReply, type RaftLogEntry } from "./raft-messages.js";

interface PeerProgress {
  readonly id: string;
  nextIndex: number;
  /** Highest index known to match the leader's log and to be durable on the follower. */
  matchIndex: number;
  isProbing: boolean;
  /** Probing: an AppendEntries is out and no reply has come (or the heartbeat has not rearmed it). */
  isProbeSent: boolean;
  matchAtTick: number;
  nextAtTick: number;
  /** Heartbeat intervals in a row with entries outstanding since before the interval and no progress. */
  quietTicks: number;
  lastSentNs: number;
  /** The host's connection epoch to this follower when entries were last sent (-1: a lossy transport). */
  sentConnectionEpoch: number;
  /** The commit index this follower can have learnt from what was sent to it. */
  commitSent: number;
  /** When a reply of this term last came from it (the leadership's start until one does). */
  lastHeardNs: number;
}

const NO_ENTRIES: readonly never[] = [];

function compareNumbersDescending(a: number, b: number): number {
  return b - a;
}

export class RaftLeader<C> {
  private readonly member: RaftMember<C>;
  readonly term: number;
  private readonly peers: PeerProgress[];
  private readonly matchScratch: number[];
  private heartbeatTimer: EventHandle | null = null;
  private isFlushScheduled = false;
  private isStopped = false;
  private readonly onHeartbeatBound = (): void => this.onHeartbeat();
  private readonly onFlushBound = (): void => this.flush();

  constructor(member: RaftMember<C>) {
    this.member = member;
    const log = member.log;
    this.term = log.currentTerm;
    const nextIndex = log.lastIndex + 1;
    this.peers = member.members
      .filter((id) => id !== member.id)
      .map((id) => ({ id, nextIndex, matchIndex: 0, isProbing: true, isProbeSent: false, matchAtTick: 0, nextAtTick: nextIndex, quietTicks: 0, lastSentNs: 0, sentConnectionEpoch: -1, commitSent: 0, lastHeardNs: member.host.node.now }));
    this.matchScratch = member.members.map(() => 0);
    // Ra's new leader appends a noop of its term (src/ra_server.erl, "Noop = {noop, ...}").
    if (!log.append(this.term, null)) member.host.marks?.hit("raft.noop.disk-full");
    this.heartbeatTimer = member.host.node.after(member.timing.heartbeatIntervalNs, this.onHeartbeatBound);
    // Probes go out from an event of their own: the member finishes becoming leader first.
    this.scheduleFlush();
  }

  /** Stepped down: timers and scheduled work of this leadership do nothing more. */
  stop(): void {
    this.isStopped = true;
    if (this.heartbeatTimer !== null) this.member.host.node.cancel(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Gathers everything proposed at this instant into one fsync and one AppendEntries per follower. */
  scheduleFlush(): void {
    if (this.isFlushScheduled) return;
    this.isFlushScheduled = true;
    this.member.host.node.after(0, this.onFlushBound);
  }

  private flush(): void {
    this.isFlushScheduled = false;
    if (this.isStopped) return;
    this.member.log.sync();
    for (const peer of this.peers) this.sendTo(peer);
    // A single-member group commits on its own fsync alone.
    this.advanceCommit();
  }

  private onHeartbeat(): void {
    this.heartbeatTimer = null;
    if (this.isStopped) return;
    const member = this.member;
    const now = member.host.node.now;
    const interval = member.timing.heartbeatIntervalNs;
    if (this.hasLostQuorum(now)) {
      member.host.marks?.hit("raft.leader.quorum-lost");
      member.stepDownWithoutQuorum();
      return;
    }
    member.log.retryMeta();
    for (const peer of this.peers) {
      const isQuiet = !peer.isProbing && peer.matchIndex === peer.matchAtTick && peer.matchIndex < peer.nextAtTick - 1;
      peer.quietTicks = isQuiet ? peer.quietTicks + 1 : 0;
      // Two intervals, not one: a slow disk's fsync may take longer than one. Over a connection that has
      // stayed up since the entries went out nothing was lost (TCP delivers them, a partition only delays
      // them): resending then would only queue copies behind the originals.
      if (peer.quietTicks >= 2 && this.mayHaveLost(peer)) {
        peer.quietTicks = 0;
        // Lost AppendEntries (or replies): resend from what is known to be there.
        member.host.marks?.hit("raft.replicate.stalled");
        peer.isProbing = true;
        peer.nextIndex = peer.matchIndex + 1;
      }
      // A probe unanswered on a connection that stayed up is still on its way (or its answer is): the
      // heartbeat below asks again without entries, and the follower's reply moves the probe on.
      if (peer.isProbing && this.mayHaveLost(peer)) peer.isProbeSent = false;
      this.sendTo(peer);
      // A heartbeat only to followers that heard nothing for an interval; prev = matchIndex always matches.
      if (now - peer.lastSentNs >= interval) this.sendAppend(peer, peer.matchIndex, 0);
      peer.matchAtTick = peer.matchIndex;
      peer.nextAtTick = peer.nextIndex;
    }
    this.heartbeatTimer = member.host.node.after(interval, this.onHeartbeatBound);
  }

  /** leaderQuorumCheckNs: fewer than a quorum (this leader included) heard from within it. */
  private hasLostQuorum(now: number): boolean {
    const windowNs = this.member.dialect.leaderQuorumCheckNs;
    if (windowNs === 0) return false;
    let heard = 1;
    for (const peer of this.peers) if (now - peer.lastHeardNs < windowNs) heard++;
    return heard < this.member.quorum;
  }

  onReply(from: string, reply: AppendEntriesReply): void {
    const peer = this.peers.find((candidate) => candidate.id === from)!;
    peer.lastHeardNs = this.member.host.node.now;
    const lastIndex = this.member.log.lastIndex;
    if (reply.success) {
      assert(reply.matchIndex <= lastIndex, `${this.member.id}: ${from} matches ${reply.matchIndex} > last ${lastIndex}`);
      const isAdvance = reply.matchIndex > peer.matchIndex;
      if (isAdvance) peer.matchIndex = reply.matchIndex;
      if (peer.isProbing) {
        peer.isProbing = false;
        peer.isProbeSent = false;
      }
      peer.nextIndex = Math.max(peer.nextIndex, peer.matchIndex + 1);
      if (isAdvance) this.advanceCommit();
      if (!this.isStopped) this.sendTo(peer);
      return;
    }
    if (reply.nextIndexHint <= peer.matchIndex) {
      // A hint at or below what the follower already acknowledged answers an older request, when acks
      // come after fsync. With acks on write (DLedger) the follower may instead have lost what it
      // acknowledged (a power loss before its flush): replication starts again from its hint, as
      // DLedger's EntryDispatcher falls back to COMPARE on an inconsistent push.
      if (!this.member.dialect.isAckOnWrite) return;
      this.member.host.marks?.hit("raft.replicate.follower-lost-acked");
      peer.matchIndex = reply.nextIndexHint - 1;
    }
    this.member.host.marks?.hit("raft.replicate.back-up");
    peer.isProbing = true;
    peer.isProbeSent = false;
    peer.nextIndex = Math.min(reply.nextIndexHint, lastIndex + 1);
    this.sendTo(peer);
  }

  /** Commits the highest index of this term that a quorum holds durably (the leader's own fsync included). */
  advanceCommit(): void {
    const member = this.member;
    const log = member.log;
    const scratch = this.matchScratch;
    scratch[0] = log.ackableIndex;
    for (let k = 0; k < this.peers.length; k++) scratch[k + 1] = this.peers[k]!.matchIndex;
    scratch.sort(compareNumbersDescending);
    const quorumIndex = scratch[member.quorum - 1]!;
    if (quorumIndex <= member.commitIndex || log.termAt(quorumIndex) !== this.term) return;
    member.commitTo(quorumIndex);
    // Followers learn the new commit index with the next AppendEntries, or a heartbeat now.
    this.scheduleFlush();
  }

  private sendTo(peer: PeerProgress): void {
    const log = this.member.log;
    const lastIndex = log.lastIndex;
    const { appendEntriesBatchMax: batchMax, pipelineEntriesMax: windowMax } = this.member.timing;
    if (peer.isProbing) {
      if (peer.isProbeSent) return;
      peer.isProbeSent = true;
      this.sendAppend(peer, peer.nextIndex - 1, Math.min(batchMax, lastIndex - peer.nextIndex + 1));
      return;
    }
    let isSent = false;
    while (peer.nextIndex <= lastIndex) {
      const inFlight = peer.nextIndex - 1 - peer.matchIndex;
      if (inFlight >= windowMax) break;
      const count = Math.min(batchMax, lastIndex - peer.nextIndex + 1, windowMax - inFlight);
      this.sendAppend(peer, peer.nextIndex - 1, count);
      peer.nextIndex += count;
      isSent = true;
    }
    if (!isSent && peer.commitSent < Math.min(this.member.commitIndex, peer.matchIndex)) this.sendAppend(peer, peer.matchIndex, 0);
  }

  private mayHaveLost(peer: PeerProgress): boolean {
    const epochOf = this.member.host.connectionEpoch;
    return epochOf === undefined || peer.sentConnectionEpoch !== epochOf.call(this.member.host, peer.id);
  }

  private sendAppend(peer: PeerProgress, prevLogIndex: number, count: number): void {
    const member = this.member;
    const log = member.log;
    const entries: readonly RaftLogEntry<C>[] = count > 0 ? log.slice(prevLogIndex + 1, count) : NO_ENTRIES;
    const commit = member.commitIndex;
    const message: AppendEntries<C> = { kind: "append-entries", term: this.term, prevLogIndex, prevLogTerm: log.termAt(prevLogIndex), entries, leaderCommit: commit };
    member.host.send(peer.id, message, raftMessageBytes(message));
    peer.lastSentNs = member.host.node.now;
    if (member.host.connectionEpoch !== undefined) peer.sentConnectionEpoch = member.host.connectionEpoch(peer.id);
    peer.commitSent = Math.max(peer.commitSent, Math.min(commit, prevLogIndex + count));
  }

  checkInvariants(): void {
    const lastIndex = this.member.log.lastIndex;
    assert(this.term === this.member.log.currentTerm, `${this.member.id}: leader of term ${this.term} in term ${this.member.log.currentTerm}`);
    assert(!this.isStopped && this.heartbeatTimer !== null, `${this.member.id}: leader without a heartbeat`);
    for (const peer of this.peers) {
      if (!(peer.matchIndex <= lastIndex && peer.nextIndex > peer.matchIndex && peer.nextIndex <= lastIndex + 1)) {
        assert(false, `${this.member.id}: ${peer.id} next ${peer.nextIndex} match ${peer.matchIndex} last ${lastIndex}`);
      }
    }
  }
}
