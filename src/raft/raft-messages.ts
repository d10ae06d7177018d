/**
 * What Raft members say to each other and to their host, and what it costs on
 * the wire and on disk. Messages are plain immutable objects (the network
 * moves references, never bytes); their byte sizes are estimates given here in
 * one place. The host contract (RaftHost, RaftTiming) is here too, so a host
 * can be written against this file alone.
 *
 * The set follows RabbitMQ's Ra (rabbitmq/ra, src/ra.hrl) rather than the
 * Raft paper where the two differ:
 * - pre-vote (Raft thesis §9.6, which Ra implements as its own "pre_vote"
 *   state): the pre-candidate asks with its *current* term and a token, so an
 *   isolated member polling for votes does not inflate its term;
 * - AppendEntries replies carry the follower's last *written* (fsynced) index
 *   (Ra's `last_index`) on success and the index it expects next (Ra's
 *   `next_index`) on failure, so the leader backs up in one round trip
 *   (docs/internals/INTERNALS.md, "Replication").
 */

import { assert, type Marks } from "../kernel/index.js";
import type { RngStream } from "../kernel/index.js";
import type { Trace } from "../kernel/index.js";
import type { Disk } from "../world/disk.js";
import type { WorldNode } from "../world/node.js";

/** One log entry. `command === null` is the no-op a new leader appends (Ra's `{noop, ...}` command). */
export interface RaftLogEntry<C> {
  readonly index: number;
  readonly term: number;
  readonly command: C | null;
  /** Size of the command's payload (a no-op's is NOOP_COMMAND_BYTES), computed once at append. */
  readonly commandBytes: number;
}

/** Ra's #pre_vote_rpc{}: "would you vote for me if I stood?" No state changes on either side but the term. */
export interface PreVoteRequest {
  readonly kind: "pre-vote";
  /** The pre-candidate's current term (not term + 1: Ra's call_for_election(pre_vote, ...)). */
  readonly term: number;
  /** Matches replies to this round (Ra uses a reference). */
  readonly token: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface PreVoteReply {
  readonly kind: "pre-vote-reply";
  readonly term: number;
  readonly token: number;
  readonly granted: boolean;
}

/** Raft's RequestVote (Ra's #request_vote_rpc{}). */
export interface VoteRequest {
  readonly kind: "request-vote";
  readonly term: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface VoteReply {
  readonly kind: "request-vote-reply";
  readonly term: number;
  readonly granted: boolean;
}

/** Raft's AppendEntries; with no entries it is a heartbeat that also carries the commit index. */
export interface AppendEntries<C> {
  readonly kind: "append-entries";
  readonly term: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly RaftLogEntry<C>[];
  readonly leaderCommit: number;
}

export interface AppendEntriesReply {
  readonly kind: "append-entries-reply";
  readonly term: number;
  readonly success: boolean;
  /**
   * On success: the follower's log matches the leader's up to here and that
   * prefix is durable (fsynced) — what the leader may count toward commit.
   */
  readonly matchIndex: number;
  /** On failure: where the leader should continue (the follower's lastIndex + 1, or the start of a conflicting term). */
  readonly nextIndexHint: number;
}

export type RaftMessage<C> = PreVoteRequest | PreVoteReply | VoteRequest | VoteReply | AppendEntries<C> | AppendEntriesReply;

// ---------------------------------------------------------------- sizes

/**
 * Ra's WAL record overhead per entry: "24 bytes 2 * 64bit ints (idx, term) + 2
 * * 32 bit ints (checksum, datalen)" (src/ra_log_wal.erl, write_data/8) plus
 * the 3-byte cached writer id that serialize_header/3 emits once a server has
 * written before.
 */
export const LOG_ENTRY_HEADER_BYTES = 27;

/**
 * A no-op's payload: Ra's `{noop, #{ts => ...}, MachineVersion}` in Erlang's
 * external term format. Estimate.
 */
export const NOOP_COMMAND_BYTES = 32;

/**
 * One (term, votedFor) record in the member's meta file. Ra keeps these in a
 * dets table written with store_sync (src/ra_log_meta.erl); a dets record with
 * a server id key and a small tuple is of this order. Estimate.
 */
export const META_RECORD_BYTES = 64;

/**
 * Wire sizes: Ra's messages are Erlang records sent over Erlang distribution,
 * each carrying the sender's server id ({Name, Node}, ~40 bytes encoded) and a
 * handful of integers. Estimates of the right order, not measurements.
 */
export const WIRE_MESSAGE_HEADER_BYTES = 64;
/** Per entry inside an AppendEntries: {Index, Term, Command} tuple framing. */
export const WIRE_ENTRY_HEADER_BYTES = 24;

/** Payload bytes of a message on the wire (the network adds framing). */
export function raftMessageBytes<C>(message: RaftMessage<C>): number {
  if (message.kind !== "append-entries") return WIRE_MESSAGE_HEADER_BYTES;
  let bytes = WIRE_MESSAGE_HEADER_BYTES;
  const entries = message.entries;
  for (let i = 0; i < entries.length; i++) bytes += WIRE_ENTRY_HEADER_BYTES + entries[i]!.commandBytes;
  return bytes;
}

// ---------------------------------------------------------------- the host contract

export interface RaftTiming {
  /** Drawn from the member's rng in [min, max) at every election and role change; leader messages push the deadline by it. */
  electionTimeoutNsMin: number;
  electionTimeoutNsMax: number;
  heartbeatIntervalNs: number;
  /** Max entries per AppendEntries message. */
  appendEntriesBatchMax: number;
  /** Max entries sent but not yet acknowledged per follower (the pipelining window); default 4096. */
  pipelineEntriesMax?: number;
}

/**
 * Ra's defaults, mapped onto a heartbeat failure detector:
 * - heartbeat 100 ms: aten's heartbeat_interval (rabbitmq/aten src/aten.app.src)
 *   and Ra's broadcast_time (?DEFAULT_BROADCAST_TIME, src/ra_server_proc.erl);
 * - election timeout [1 s, 2 s): Ra's "long" election timeout, set when a
 *   follower suspects its leader's node is down: aten_poll_interval (1000 ms)
 *   + rand:uniform(broadcast_time * ?DEFAULT_ELECTION_MULT (5) * 2)
 *   (election_timeout_action(long, ...), src/ra_server_proc.erl). Ra starts it
 *   only once aten suspects the node (polled every 1000 ms); here it runs from
 *   the last leader message, so failover is faster than Ra's by aten's
 *   detection time. (On the Erlang monitor's DOWN for the leader process, Ra
 *   uses rand(100 ms) after a process crash and 100 ms + rand(500 ms) on
 *   noconnection, handle_process_down/4: not modelled, no monitors here);
 * - 128 entries per AppendEntries: ?AER_CHUNK_SIZE (src/ra_server.hrl);
 * - 4096 entries in flight per follower: ?DEFAULT_MAX_PIPELINE_COUNT (same file).
 */
export const RA_DEFAULT_TIMING: Readonly<Required<RaftTiming>> = {
  electionTimeoutNsMin: 1_000_000_000,
  electionTimeoutNsMax: 2_000_000_000,
  heartbeatIntervalNs: 100_000_000,
  appendEntriesBatchMax: 128,
  pipelineEntriesMax: 4096,
};

export type RaftRole = "follower" | "candidate" | "leader";

export interface RaftHost<C> {
  readonly node: WorldNode;
  readonly disk: Disk;
  readonly rng: RngStream;
  readonly trace: Trace;
  /** Coverage marks for rare branches (optional). */
  readonly marks?: Marks;
  /** Best-effort send to another member (may be lost, delayed, reordered). */
  send(to: string, message: RaftMessage<C>, bytes: number): void;
  /**
   * On a reliable transport (Ra over Erlang distribution: TCP, kept across a
   * partition), how many times the connection to `to` has come up: what was
   * sent can only have been lost if this changed since. Absent: the
   * transport may lose any message (datagrams).
   */
  connectionEpoch?(to: string): number;
  /** Committed entries in index order, exactly once per incarnation; no-ops are skipped. */
  apply(index: number, term: number, command: C): void;
  onRoleChange?(role: RaftRole, term: number, leaderId: string | null): void;
  /**
   * Entries already applied were replaced (acks before fsync: see
   * RaftMemberOptions.isAckOnWrite): the state machine must start again
   * empty; apply() then replays the log from index 1.
   */
  onAppliedLost?(): void;
}

export interface RaftMemberOptions<C> {
  group: string;
  id: string;
  members: readonly string[];
  timing: RaftTiming;
  host: RaftHost<C>;
  commandBytes: (command: C) => number;
  /**
   * Count an entry toward commit (leader) and acknowledge it (follower) once
   * it is written to the page cache, not once fsynced: DLedger's quorum
   * counts each member's ledgerEndIndex (DLedgerEntryPusher.QuorumAckChecker)
   * and its store flushes on its own every flushFileInterval. The host then
   * calls `log.flush()` itself. Default false (Ra: fsync first).
   */
  isAckOnWrite?: boolean;
  /**
   * The election timeout drawn at a process start, if not the usual one:
   * a DLedger member starts as a candidate and stands after its vote
   * interval (300–1000 ms), where a follower waits out missed heartbeats.
   */
  startElectionTimeoutNs?: { min: number; max: number };
  /**
   * A leader that has heard from no quorum (itself included) for this long
   * steps down: DLedger's leader turns candidate after maxHeartBeatLeak
   * heartbeats without a quorum of answers. Absent: a leader steps down only
   * on a higher term (Ra).
   */
  leaderQuorumCheckNs?: number;
}

/** The options by which a Raft differs from Ra's, with their defaults filled in and checked. */
export interface RaftDialect {
  readonly isAckOnWrite: boolean;
  readonly startElectionTimeoutNs: { min: number; max: number } | null;
  /** 0: never. */
  readonly leaderQuorumCheckNs: number;
}

export function dialectOf(options: Pick<RaftMemberOptions<unknown>, "isAckOnWrite" | "startElectionTimeoutNs" | "leaderQuorumCheckNs">): RaftDialect {
  const range = options.startElectionTimeoutNs ?? null;
  if (range !== null) assert(Number.isSafeInteger(range.min) && range.min > 0 && range.max > range.min, `startElectionTimeoutNs: expected 0 < min < max, got ${range.min}..${range.max}`);
  const leaderQuorumCheckNs = options.leaderQuorumCheckNs ?? 0;
  assert(Number.isSafeInteger(leaderQuorumCheckNs) && leaderQuorumCheckNs >= 0, `leaderQuorumCheckNs: expected a non-negative integer, got ${leaderQuorumCheckNs}`);
  return { isAckOnWrite: options.isAckOnWrite ?? false, startElectionTimeoutNs: range, leaderQuorumCheckNs };
}

/** Ra's defaults under the given timing, checked. */
export function checkedTiming(timing: RaftTiming): Readonly<Required<RaftTiming>> {
  const all = { ...RA_DEFAULT_TIMING, ...timing };
  for (const [name, value] of Object.entries(all)) assert(Number.isSafeInteger(value) && value > 0, `timing.${name} must be a positive integer, got ${value}`);
  assert(all.electionTimeoutNsMax > all.electionTimeoutNsMin, "electionTimeoutNsMax must exceed electionTimeoutNsMin");
  return all;
}
