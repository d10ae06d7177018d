/**
 * The follower side of a partition replica: its state in the broker's
 * replica fetcher for the leader (replica-fetcher.ts). On a new leader it
 * truncates where its log may diverge from the leader's (to its high
 * watermark before KIP-101; after KIP-101 it asks the leader with
 * OffsetsForLeaderEpoch where its latest epoch ends, and with KIP-279 walks
 * back through epochs it shares with the leader), then joins the fetcher's
 * requests from its log end, appends what comes back and takes the leader's
 * high watermark, capped by its own log end. A fetch that triggered a
 * synchronous flush (log.flush.interval.messages) holds the fetcher thread
 * until the fsync completes.
 *
 * Separate from partition-replica.ts because it is a state machine of its own
 * (a pending truncation, a backoff, a flush) that a leader never touches; the
 * replica keeps the log, the high watermark and the flush bookkeeping both
 * roles share, and lends them through FollowedReplica.
 */
import { assert } from "../../kernel/index.js";
import type { PartitionLog } from "./partition-log.js";
import type { ReplicaHost } from "./partition-replica.js";
import type { FetchPartition, FetchPartitionData, OffsetsForLeaderEpochResponse } from "./protocol.js";
import { FETCH_BACKOFF_NS, type ReplicaFetcher } from "./replica-fetcher.js";
import type { WriteWaiter } from "./partition-log.js";
import { truncationPoint } from "./truncation-point.js";

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

export class PartitionFollower {
  readonly topicPartition: string;
  private readonly host: ReplicaHost;
  private readonly replica: FollowedReplica;
  private fetcher: ReplicaFetcher | null = null;
  private needsEpochTruncation = false;
  /** The OffsetsForLeaderEpoch request awaiting its answer (0: none). */
  private truncationRequest = 0;
  /** A flush this partition's last fetch triggered is running: the fetcher thread waits for it. */
  private isFlushBlockingNow = false;
  /** No fetch of this partition before this time (replica.fetch.backoff.ms after an error). */
  backoffUntilNs = 0;

  constructor(host: ReplicaHost, replica: FollowedReplica) {
    this.host = host;
    this.replica = replica;
    this.topicPartition = replica.topicPartition;
  }

  /** In the fetcher's requests: following, and done truncating. */
  get isFetching(): boolean {
    return this.fetcher !== null && this.replica.isFollower() && !this.needsEpochTruncation;
  }

  get isFlushBlocking(): boolean {
    return this.isFlushBlockingNow;
  }

  /** Starts following `leader`; the replica has just become its follower. */
  follow(leader: string): void {
    if (this.host.config["mqsim.truncation"] === "high-watermark") {
      // Pre-KIP-101: anything above our own high watermark might not be on the leader.
      this.replica.truncateTo(this.replica.highWatermark());
      this.needsEpochTruncation = false;
    } else {
      this.needsEpochTruncation = true;
    }
    this.truncationRequest = 0;
    this.backoffUntilNs = 0;
    const fetcher = this.host.fetcherFor(leader);
    this.fetcher = fetcher;
    fetcher.add(this);
  }

  stop(): void {
    this.fetcher?.remove(this);
    this.fetcher = null;
    this.truncationRequest = 0;
    this.isFlushBlockingNow = false;
  }

  /** This partition's entry in the fetcher's next request. */
  fetchPartition(): FetchPartition {
    return {
      topicPartition: this.topicPartition,
      fetchOffset: this.replica.log.logEndOffset,
      currentLeaderEpoch: this.replica.leaderEpoch(),
      maxBytes: this.host.config["replica.fetch.max.bytes"],
    };
  }

  /** A flush of the replica's log completed: a fetch held for it goes now. */
  onFlushed(): void {
    if (!this.isFlushBlockingNow) return;
    this.isFlushBlockingNow = false;
    this.fetcher?.onPartitionReady();
  }

  // ------------------------------------------------------------ from the fetcher

  onLinkOpen(): void {
    this.askWhereEpochEnds();
  }

  onLinkDown(): void {
    this.truncationRequest = 0;
  }

  onOffsetsForLeaderEpoch(message: OffsetsForLeaderEpochResponse): void {
    if (!this.replica.isFollower() || message.correlationId !== this.truncationRequest) return;
    this.truncationRequest = 0;
    if (message.error !== "NONE") {
      this.backoffUntilNs = this.host.node.now + FETCH_BACKOFF_NS;
      this.host.node.after(FETCH_BACKOFF_NS, () => this.askWhereEpochEnds());
      return;
    }
    const { offset, isComplete } = truncationPoint(this.replica.log, this.replica.highWatermark(), this.host.config["mqsim.truncation"], message.leaderEpoch, message.endOffset);
    if (!isComplete) this.host.world.kernel.marks.hit("kafka.truncate.epoch-walk-back");
    this.replica.truncateTo(offset);
    // Not complete: we did not know the epoch the leader answered for; ask again with our (now older) latest epoch.
    this.needsEpochTruncation = !isComplete;
    this.askWhereEpochEnds();
  }

  /** The fetcher's response for this partition; appends run on the fetcher's thread (`waiter`). */
  onFetchData(data: FetchPartitionData, waiter: WriteWaiter): void {
    if (!this.isFetching) return;
    const log = this.replica.log;
    if (data.error === "OFFSET_OUT_OF_RANGE") {
      // We are ahead of the leader (our tail was never on it): drop the tail.
      this.replica.truncateTo(data.logEndOffset);
      return;
    }
    if (data.error !== "NONE") {
      this.backoffUntilNs = this.host.node.now + FETCH_BACKOFF_NS;
      return;
    }
    for (let batchIndex = 0; batchIndex < data.batches.length; batchIndex++) {
      const batch = data.batches[batchIndex]!;
      if (batch.baseOffset < log.logEndOffset) continue;
      if (!(batch.baseOffset === log.logEndOffset)) assert(false, `follower fetch gap: batch at ${batch.baseOffset}, log end ${log.logEndOffset}`);
      if (log.append(batch, waiter) !== "ok") {
        this.backoffUntilNs = this.host.node.now + FETCH_BACKOFF_NS;
        return;
      }
      // The fetcher thread flushed synchronously: its next fetch (which reports our log end) waits for it.
      if (this.replica.maybeFlush(batch.count) > 0) this.isFlushBlockingNow = true;
    }
    this.replica.raiseHighWatermark(Math.min(data.highWatermark, log.logEndOffset));
  }

  private askWhereEpochEnds(): void {
    const fetcher = this.fetcher;
    if (fetcher === null || !this.needsEpochTruncation || this.truncationRequest !== 0 || !this.replica.isFollower()) return;
    const correlationId = fetcher.nextCorrelationId();
    const isSent = fetcher.send({
      kind: "offsets-for-leader-epoch",
      correlationId,
      topicPartition: this.topicPartition,
      leaderEpoch: this.replica.log.latestEpoch,
      currentLeaderEpoch: this.replica.leaderEpoch(),
    });
    if (isSent) this.truncationRequest = correlationId;
  }
}
