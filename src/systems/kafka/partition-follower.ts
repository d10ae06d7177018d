/**
 * The follower side of a partition replica: Kafka's replica fetcher for one
 * partition. On a new leader it truncates where its log may diverge from the
 * leader's (to its high watermark before KIP-101; after KIP-101 it asks the
 * leader with OffsetsForLeaderEpoch where its latest epoch ends, and with
 * KIP-279 walks back through epochs it shares with the leader), then
 * fetches in a loop, appends what comes back and takes the leader's high
 * watermark, capped by its own log end. A fetch that triggered a synchronous
 * flush (log.flush.interval.messages) holds the next fetch until the fsync
 * completes.
 *
 * Separate from partition-replica.ts because it is a state machine of its own
 * (a link, a request in flight, a pending truncation) that a leader never
 * touches; the replica keeps the log, the high watermark and the flush
 * bookkeeping both roles share, and lends them through FollowedReplica.
 */
import { assert } from "../../kernel/assert.js";
import { msToNs } from "./config.js";
import type { PartitionLog } from "./partition-log.js";
import { truncationPoint } from "./truncation-point.js";
import type { ReplicaHost } from "./partition-replica.js";
import { PeerLink, type PeerLinkListener } from "./peer-link.js";
import { DATA_CLASS, DATA_PORT, type KafkaMessage } from "./protocol.js";

const FETCH_BACKOFF_NS = msToNs(1_000); // replica.fetch.backoff.ms

/** What the fetch loop needs from the replica it fetches for; the replica builds it once. */
export interface FollowedReplica {
  readonly topicPartition: string;
  readonly log: PartitionLog;
  isFollower(): boolean;
  leaderEpoch(): number;
  highWatermark(): number;
  /** Cuts the log (and what depends on its end) to `offset`. */
  truncateTo(offset: number): void;
  /** Counts appended messages toward log.flush.interval.messages; the flush's end offset, or 0 if none started. */
  maybeFlush(messages: number): number;
  /** Raises the high watermark to `offset` if that is higher; it never goes back. */
  raiseHighWatermark(offset: number): void;
}

export class PartitionFollower implements PeerLinkListener {
  private readonly host: ReplicaHost;
  private readonly replica: FollowedReplica;
  private link: PeerLink | null = null;
  private needsEpochTruncation = false;
  private isFetchInFlight = false;
  /** A follower waits for its flush before fetching again. */
  private isFlushBlockingFetch = false;
  private correlationIdNext = 1;
  private readonly onFetchRetryBound = (): void => this.sendFetch();

  constructor(host: ReplicaHost, replica: FollowedReplica) {
    this.host = host;
    this.replica = replica;
  }

  /** Starts fetching from `leader`; the replica has just become its follower. */
  follow(leader: string): void {
    const mode = this.host.config["mqsim.truncation"];
    if (mode === "high-watermark") {
      // Pre-KIP-101: anything above our own high watermark might not be on the leader.
      this.replica.truncateTo(this.replica.highWatermark());
      this.needsEpochTruncation = false;
    } else {
      this.needsEpochTruncation = true;
    }
    const leaderNode = this.host.world.node(leader);
    this.link = new PeerLink(this.host.world, this.host.node, leaderNode, DATA_PORT, DATA_CLASS, FETCH_BACKOFF_NS, this);
    this.link.connect();
  }

  stop(): void {
    this.link?.close();
    this.link = null;
    this.isFetchInFlight = false;
    this.isFlushBlockingFetch = false;
  }

  /** A flush of the replica's log completed: a fetch held for it goes now. */
  onFlushed(): void {
    if (this.isFlushBlockingFetch) {
      this.isFlushBlockingFetch = false;
      this.sendFetch();
    }
  }

  // ------------------------------------------------------------ PeerLinkListener

  onOpen(): void {
    this.sendFetch();
  }

  onDown(): void {
    this.isFetchInFlight = false;
  }

  onMessage(message: KafkaMessage): void {
    if (!this.replica.isFollower()) return;
    const log = this.replica.log;
    this.isFetchInFlight = false;
    if (message.kind === "offsets-for-leader-epoch-response") {
      if (message.error !== "NONE") return void this.host.node.after(FETCH_BACKOFF_NS, this.onFetchRetryBound);
      const { offset, isComplete } = truncationPoint(log, this.replica.highWatermark(), this.host.config["mqsim.truncation"], message.leaderEpoch, message.endOffset);
      if (!isComplete) this.host.world.kernel.marks.hit("kafka.truncate.epoch-walk-back");
      this.replica.truncateTo(offset);
      // Not complete: we did not know the epoch the leader answered for; ask again with our (now older) latest epoch.
      this.needsEpochTruncation = !isComplete;
      return this.sendFetch();
    }
    if (message.kind !== "fetch-response") return;
    if (message.error === "OFFSET_OUT_OF_RANGE") {
      // We are ahead of the leader (our tail was never on it): drop the tail.
      this.replica.truncateTo(message.logEndOffset);
      return this.sendFetch();
    }
    if (message.error !== "NONE") return void this.host.node.after(FETCH_BACKOFF_NS, this.onFetchRetryBound);
    for (const batch of message.batches) {
      if (batch.baseOffset < log.logEndOffset) continue;
      if (!(batch.baseOffset === log.logEndOffset)) assert(false, `follower fetch gap: batch at ${batch.baseOffset}, log end ${log.logEndOffset}`);
      if (log.append(batch) !== "ok") return void this.host.node.after(FETCH_BACKOFF_NS, this.onFetchRetryBound);
      if (this.replica.maybeFlush(batch.count) > 0) this.isFlushBlockingFetch = true;
    }
    this.replica.raiseHighWatermark(Math.min(message.highWatermark, log.logEndOffset));
    // The fetcher thread flushed synchronously: the next fetch (which reports our log end) waits for it.
    if (!this.isFlushBlockingFetch) this.sendFetch();
  }

  // ------------------------------------------------------------ fetch loop

  private sendFetch(): void {
    if (!this.replica.isFollower() || this.link === null || this.isFetchInFlight || !this.link.isOpen) return;
    const correlationId = this.correlationIdNext++;
    const topicPartition = this.replica.topicPartition;
    const log = this.replica.log;
    if (this.needsEpochTruncation) {
      this.isFetchInFlight = this.link.send({ kind: "offsets-for-leader-epoch", correlationId, topicPartition, leaderEpoch: log.latestEpoch, currentLeaderEpoch: this.replica.leaderEpoch() });
      return;
    }
    this.isFetchInFlight = this.link.send({
      kind: "fetch",
      correlationId,
      replica: this.host.node.name,
      topicPartition,
      fetchOffset: log.logEndOffset,
      currentLeaderEpoch: this.replica.leaderEpoch(),
      maxWaitMs: this.host.config["replica.fetch.wait.max.ms"],
      maxBytes: this.host.config["replica.fetch.max.bytes"],
    });
  }
}
