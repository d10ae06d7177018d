/**
 * DLedger mode (enableDLegerCommitLog, RocketMQ 4.5+): the broker group's
 * commit log is replicated by Raft (openmessaging/dledger 0.2.x, which
 * RocketMQ 4.9 ships), with the shared implementation in src/raft/. Every
 * node of the group is a member; the elected leader is the group's master
 * (DLedgerRoleChangeHandler: changeToMaster, brokerId 0), the others its
 * slaves (changeToSlave, brokerId = member number + 1).
 *
 * - A put goes to DLedger (DLedgerCommitLog.asyncPutMessage →
 *   handleAppend); it is answered when a quorum has it (PUT_OK), or after
 *   maxWaitAckTimeMs (2.5 s) with WAIT_QUORUM_ACK_TIMEOUT, which RocketMQ
 *   turns into OS_PAGECACHE_BUSY ("do not return flush_slave_timeout to the
 *   client") and the broker answers SYSTEM_BUSY: the producer retries, and
 *   the entry may commit all the same. A member that is not the leader
 *   answers SERVICE_NOT_AVAILABLE.
 * - DLedger counts an entry once each member has written it
 *   (QuorumAckChecker over ledgerEndIndex), not fsynced: its store flushes
 *   on its own every flushFileInterval (10 ms, DLedgerMmapFileStore's
 *   FlushDataService). A power loss can therefore take entries a quorum
 *   acknowledged, if it takes every copy before its flush.
 * - Committed entries are applied, in order, to the broker's message store,
 *   which builds the consume queues from them (the reput service dispatches
 *   only committed data in DLedger mode).
 *
 * Where the model differs: the message store here is DLedger's view of the
 * log, kept in memory and rebuilt from the Raft log at every start (the real
 * commit log IS DLedger's store, and its consume queues are files); term
 * and vote are fsynced before they are relied on, where DLedger writes them
 * without an fsync (MemberState.persistTerm → IOUtils.string2File), so a
 * member here never forgets a vote after a power loss; elections use the
 * shared Raft's pre-vote where DLedger's members reject a candidate while
 * they still hear a leader (REJECT_ALREADY_HAS_LEADER), to the same effect;
 * a leader that hears no quorum for 6 s steps down to follower and stands
 * after its election timeout, where DLedger's turns candidate at once.
 */
import { assert, type EventHandle, type Marks, type RngStream, type Trace } from "../../kernel/index.js";
import { RaftMember, type RaftHost, type RaftRole } from "../../raft/raft-member.js";
import type { RaftMessage } from "../../raft/raft-messages.js";
import { Disk } from "../../world/disk.js";
import { diskProfile } from "../../world/disk-profile.js";
import type { DatagramHandler } from "../../world/network.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { CommitLogRecord } from "./commit-log.js";
import type { MessageStore, NewPut } from "./message-store.js";

const NS_PER_MS = 1_000_000;
/** DLedger's port and the traffic class of its messages (a partition fault can name it). */
export const DLEDGER_PORT = "dledger";
export const DLEDGER_TRAFFIC = "dledger";

/**
 * DLedgerConfig's defaults (dledger 0.2.7): the leader heartbeats every
 * heartBeatTimeIntervalMs (2 s); a follower stands after maxHeartBeatLeak
 * (3) heartbeats missed, then waits a random minVoteIntervalMs..
 * maxVoteIntervalMs (300–1000 ms) between vote rounds; the store flushes
 * every flushFileInterval (10 ms); an append waits maxWaitAckTimeMs (2.5 s)
 * for its quorum.
 */
export const DLEDGER_TIMING = {
  heartBeatTimeIntervalMs: 2_000,
  maxHeartBeatLeak: 3,
  minVoteIntervalMs: 300,
  maxVoteIntervalMs: 1_000,
  flushFileInterval: 10,
  maxWaitAckTimeMs: 2_500,
} as const;

/** An entry's bytes besides the message: DLedgerEntry's header (magic, size, index, term, pos, channel, chain crc, body crc). */
const ENTRY_HEADER_BYTES = 48;

export type DLedgerPutStatus = "PUT_OK" | "SERVICE_NOT_AVAILABLE" | "OS_PAGECACHE_BUSY";
export type DLedgerPutCallback<A> = (status: DLedgerPutStatus, record: CommitLogRecord | null, arg: A) => void;

/** The command a DLedger entry carries: one put (a message or a batch) and its stored size. */
export interface DLedgerPut extends NewPut {
  readonly storedBytes: number;
}

interface PendingAppend {
  done: DLedgerPutCallback<unknown>;
  arg: unknown;
  timer: EventHandle;
}

export interface DLedgerRoleListener {
  /** The member became the group's leader (true) or stopped being it (false). */
  onLeadership(isLeader: boolean): void;
  /**
   * Entries this member had applied were replaced by a new leader's (a
   * quorum's power loss took them before their flush): the broker's store
   * starts again empty, and the log is applied to it from the start.
   */
  newStore(): MessageStore;
}

export class DLedgerCommitLog implements RaftHost<DLedgerPut> {
  readonly disk: Disk;
  readonly rng: RngStream;
  readonly trace: Trace;
  readonly marks: Marks;
  private readonly member: RaftMember<DLedgerPut>;
  private readonly pending = new Map<number, PendingAppend>();
  private isLeaderNow = false;
  private leaderSinceNsNow = -1;
  private readonly onFlushTickBound = (): void => this.onFlushTick();
  private readonly onAppendTimeoutBound = (index: number): void => this.onAppendTimeout(index);

  constructor(
    private readonly world: World,
    readonly node: WorldNode,
    private readonly group: string,
    members: readonly string[],
    private store: MessageStore,
    private readonly listener: DLedgerRoleListener,
  ) {
    this.disk = world.disk(node.name);
    // A stream per incarnation: a restarted member never replays its election timeouts.
    this.rng = world.kernel.rng.stream(`dledger:${group}:${node.name}#${node.incarnation}`);
    this.trace = world.kernel.trace;
    this.marks = world.kernel.marks;
    const heartbeatNs = DLEDGER_TIMING.heartBeatTimeIntervalMs * NS_PER_MS;
    const leakNs = heartbeatNs * DLEDGER_TIMING.maxHeartBeatLeak;
    this.member = new RaftMember<DLedgerPut>({
      group,
      id: node.name,
      members,
      timing: {
        heartbeatIntervalNs: heartbeatNs,
        electionTimeoutNsMin: leakNs + DLEDGER_TIMING.minVoteIntervalMs * NS_PER_MS,
        electionTimeoutNsMax: leakNs + DLEDGER_TIMING.maxVoteIntervalMs * NS_PER_MS,
        appendEntriesBatchMax: 128,
      },
      host: this,
      commandBytes: (put) => ENTRY_HEADER_BYTES + put.storedBytes,
      isAckOnWrite: true,
      startElectionTimeoutNs: { min: DLEDGER_TIMING.minVoteIntervalMs * NS_PER_MS, max: DLEDGER_TIMING.maxVoteIntervalMs * NS_PER_MS },
      // DLedgerLeaderElector.sendHeartbeats: no quorum of answers for maxHeartBeatLeak heartbeats, and the leader turns candidate.
      leaderQuorumCheckNs: leakNs,
    });
  }

  get isLeader(): boolean {
    return this.isLeaderNow;
  }

  /** When this member last became the leader (-1: never in this incarnation). */
  get leaderSinceNs(): number {
    return this.leaderSinceNsNow;
  }

  /** The Raft member (for the cluster's convergence and checks). */
  get raft(): RaftMember<DLedgerPut> {
    return this.member;
  }

  start(): void {
    const handler: DatagramHandler = { onDatagram: (_node, from, payload) => this.onDatagram(from.name, payload as RaftMessage<DLedgerPut>) };
    this.world.net.bindDatagram(this.node, DLEDGER_PORT, handler);
    this.member.start();
    this.node.after(DLEDGER_TIMING.flushFileInterval * NS_PER_MS, this.onFlushTickBound);
  }

  /** handleAppend: proposes the put; `done` hears PUT_OK once committed and applied here, else why not. */
  append<A>(put: DLedgerPut, done: DLedgerPutCallback<A>, arg: A): void {
    const index = this.member.propose(put);
    if (index === "not-leader" || index === "disk-full") {
      done("SERVICE_NOT_AVAILABLE", null, arg);
      return;
    }
    const timer = this.node.after(DLEDGER_TIMING.maxWaitAckTimeMs * NS_PER_MS, this.onAppendTimeoutBound, index);
    this.pending.set(index, { done: done as DLedgerPutCallback<unknown>, arg, timer });
  }

  // ------------------------------------------------------------ RaftHost

  send(to: string, message: RaftMessage<DLedgerPut>, bytes: number): void {
    this.world.net.sendDatagram(this.node, this.world.node(to), DLEDGER_PORT, DLEDGER_TRAFFIC, message, bytes);
  }

  apply(index: number, _term: number, put: DLedgerPut): void {
    const record = this.store.applyCommitted(put);
    const waiting = this.pending.get(index);
    if (waiting === undefined) return;
    this.pending.delete(index);
    this.node.cancel(waiting.timer);
    waiting.done(record === null ? "SERVICE_NOT_AVAILABLE" : "PUT_OK", record, waiting.arg);
  }

  onAppliedLost(): void {
    this.marks.hit("rocketmq.dledger.store-rebuilt");
    this.world.clusterLog.record("truncation", this.group, this.node.name, this.member.term, "applied entries replaced by the new leader's: store rebuilt");
    this.store = this.listener.newStore();
  }

  onRoleChange(role: RaftRole): void {
    const isLeader = role === "leader";
    if (isLeader === this.isLeaderNow) return;
    this.isLeaderNow = isLeader;
    if (isLeader) this.world.clusterLog.record("leader", this.group, this.node.name, this.member.term, "DLedger leader elected: the group's master");
    if (isLeader) this.leaderSinceNsNow = this.node.now;
    this.marks.hit(isLeader ? "rocketmq.dledger.leader" : "rocketmq.dledger.step-down");
    this.listener.onLeadership(isLeader);
  }

  // ------------------------------------------------------------ internals

  private onDatagram(from: string, message: RaftMessage<DLedgerPut>): void {
    if (this.node.isProcessAlive) this.member.onMessage(from, message);
  }

  /** FlushDataService: the store flushes what is written every flushFileInterval. */
  private onFlushTick(): void {
    this.member.log.flush();
    this.node.after(DLEDGER_TIMING.flushFileInterval * NS_PER_MS, this.onFlushTickBound);
  }

  /** WAIT_QUORUM_ACK_TIMEOUT: the entry stays in the log and may still commit. */
  private onAppendTimeout(index: number): void {
    const waiting = this.pending.get(index);
    assert(waiting !== undefined, `append timeout of ${index} with nothing pending`);
    this.pending.delete(index);
    this.marks.hit("rocketmq.dledger.quorum-ack-timeout");
    waiting.done("OS_PAGECACHE_BUSY", null, waiting.arg);
  }
}

/**
 * The memory DLedger mode's message store writes to: a page cache with no
 * writeback and no limit, never on the node's disk (see the header: the
 * store is DLedger's view of the log, rebuilt at every start).
 */
export function memoryStoreDisk(world: World, node: WorldNode): Disk {
  const unlimited = 1024 * 1024 * 1024 * 1024;
  return new Disk({
    node,
    scheduler: world.kernel.scheduler,
    trace: world.kernel.trace,
    profile: { ...diskProfile("nvme"), capacityBytes: unlimited },
    dirtyExpireNs: Number.MAX_SAFE_INTEGER,
    dirtyBackgroundBytes: unlimited,
    dirtyLimitBytes: unlimited,
    pageCacheBytes: unlimited,
  });
}
