/**
 * One broker's replica of one partition, as leader or follower.
 *
 * Leader: appends produced batches at its log end with its leader epoch,
 * tracks each follower's log end offset from its fetches, advances the high
 * watermark to the smallest LEO in the ISR, answers acks=all produces once the
 * high watermark covers them (the "purgatory"), refuses acks=all with fewer
 * than `min.insync.replicas` in the ISR, and asks the controller to shrink
 * the ISR when a follower has not caught up for `replica.lag.time.max.ms`, or
 * to expand it when one has.
 *
 * Follower: the fetch loop and its truncation live in partition-follower.ts;
 * this class lends it the log, the high watermark and the flush bookkeeping.
 */
import { assert } from "../../kernel/index.js";
import { RingQueue } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { msToNs, type KafkaBrokerConfig } from "./config.js";
import type { KafkaCpuCosts } from "./cpu-costs.js";
import { NO_BATCHES, PartitionLog, type RecordBatch } from "./partition-log.js";
import { PartitionFollower } from "./partition-follower.js";
import type { DelayedFetch } from "./delayed-fetch.js";
import type { DelayedActions, FetchWaker } from "./delayed-actions.js";
import type { ReplicaFetcher } from "./replica-fetcher.js";
import type { ProduceAnswer } from "./produce-answer.js";
import { ProducePurgatory } from "./produce-purgatory.js";
import { ProducerStateTable } from "./producer-state.js";
import { LogFlush } from "./log-flush.js";
import {
  wireBytesOf,
  type FetchPartition,
  type FetchPartitionData,
  type KafkaError,
  type KafkaMessage,
  type OffsetsForLeaderEpochRequest,
  type PartitionState,
} from "./protocol.js";

/** What a replica needs from its broker. */
export interface ReplicaHost {
  readonly world: World;
  readonly node: WorldNode;
  readonly config: KafkaBrokerConfig;
  readonly brokerEpoch: number;
  /** What the broker's threads spend per unit of work. */
  readonly cpu: KafkaCpuCosts;
  sendToController(message: KafkaMessage): boolean;
  /** The broker's replica fetcher for partitions led by `leader` (one per leader broker: num.replica.fetchers = 1). */
  fetcherFor(leader: string): ReplicaFetcher;
  /** Purgatory checks held until the request being handled ends (Kafka's ActionQueue). */
  readonly actions: DelayedActions;
}

interface FollowerProgress {
  logEndOffset: number;
  lastCaughtUpNs: number;
  lastFetchNs: number;
  lastFetchLeaderLeo: number;
}

export class PartitionReplica implements FetchWaker {
  readonly topicPartition: string;
  readonly log: PartitionLog;
  private readonly host: ReplicaHost;
  private state: PartitionState;
  private role: "leader" | "follower" | "none" = "none";
  private highWatermarkNow: number;
  // Leader side.
  private readonly followers = new Map<string, FollowerProgress>();
  /** acks=all (and flushing acks=1) produces waiting to be answered: Kafka's DelayedProduce purgatory. */
  private readonly pending: ProducePurgatory;
  /** When the log is fsynced (log.flush.*), and how far the last flush reached. */
  private readonly flush: LogFlush;
  /** Fetches waiting for data up to their max wait: Kafka's DelayedFetch purgatory (each also waits on other partitions). */
  private readonly waiters = new RingQueue<DelayedFetch>(4);
  /** Idempotent producers' last batches, for duplicate and sequence checks (leader only). */
  private readonly producers = new ProducerStateTable();
  /** The ISR an AlterPartition request in flight asks for (null: none): Kafka's PendingExpandIsr / PendingShrinkIsr. */
  private pendingIsr: string[] | null = null;
  // Follower side.
  private readonly follower: PartitionFollower;

  constructor(host: ReplicaHost, state: PartitionState, checkpointedHighWatermark: number) {
    this.host = host;
    this.topicPartition = state.topicPartition;
    this.state = { ...state, leaderEpoch: -1, partitionEpoch: -1 };
    this.log = new PartitionLog(host.world.disk(host.node.name), `${state.topicPartition}/00000000000000000000.log`);
    this.highWatermarkNow = Math.min(checkpointedHighWatermark, this.log.logEndOffset);
    this.flush = new LogFlush(host.node, host.world.disk(host.node.name), this.log, host.config["log.flush.interval.messages"], () => {
      if (this.role === "leader") this.answerSettledProduces();
      this.follower.onFlushed();
    });
    this.pending = new ProducePurgatory(host.node, host.world.kernel.marks);
    this.follower = new PartitionFollower(host, {
      topicPartition: this.topicPartition,
      log: this.log,
      isFollower: () => this.role === "follower",
      leaderEpoch: () => this.state.leaderEpoch,
      highWatermark: () => this.highWatermarkNow,
      truncateTo: (offset) => this.truncateTo(offset),
      maybeFlush: (messages) => this.flush.afterAppend(messages),
      raiseHighWatermark: (offset) => {
        this.highWatermarkNow = Math.max(this.highWatermarkNow, offset);
      },
    });
  }

  get highWatermark(): number {
    return this.highWatermarkNow;
  }

  get isLeader(): boolean {
    return this.role === "leader";
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  // ------------------------------------------------------------ state changes from the controller

  applyState(next: PartitionState): void {
    if (next.leaderEpoch < this.state.leaderEpoch) return;
    if (next.leaderEpoch === this.state.leaderEpoch && next.partitionEpoch <= this.state.partitionEpoch) return;
    const me = this.host.node.name;
    const isNewEpoch = next.leaderEpoch !== this.state.leaderEpoch;
    this.state = { ...next, isr: [...next.isr], replicas: [...next.replicas] };
    this.pendingIsr = null;
    if (next.leader === me) {
      if (isNewEpoch || this.role !== "leader") this.becomeLeader();
      else this.maybeAdvanceHighWatermark();
    } else if (next.leader !== null) {
      if (isNewEpoch || this.role !== "follower") this.becomeFollower(next.leader);
    } else {
      this.stepDown("none");
    }
  }

  private becomeLeader(): void {
    this.follower.stop();
    this.role = "leader";
    this.log.assignEpoch(this.state.leaderEpoch, this.log.logEndOffset);
    this.host.world.kernel.trace.record("kafka.become-leader", `${this.host.node.name}:${this.topicPartition}`, this.state.leaderEpoch, this.log.logEndOffset);
    this.followers.clear();
    const now = this.host.node.now;
    for (const replica of this.state.replicas) {
      if (replica !== this.host.node.name) this.followers.set(replica, { logEndOffset: -1, lastCaughtUpNs: now, lastFetchNs: now, lastFetchLeaderLeo: 0 });
    }
    // Idempotent producer state is rebuilt from the log, as Kafka does on leader change.
    this.producers.rebuild(this.log.batches);
    this.maybeAdvanceHighWatermark();
  }

  private becomeFollower(leader: string): void {
    this.stepDown("follower");
    this.follower.follow(leader);
  }

  /** Leaves leadership: waiting producers and fetchers are told to look elsewhere. */
  private stepDown(role: "follower" | "none"): void {
    this.follower.stop();
    if (this.role === "leader") {
      this.pending.answerAll("NOT_LEADER_OR_FOLLOWER");
      this.role = role;
      // Parked fetches now find this partition not led here, and answer.
      this.wakeParkedFetches();
    }
    this.role = role;
  }

  private truncateTo(offset: number): void {
    const before = this.log.logEndOffset;
    if (this.log.truncateTo(offset) > 0) {
      this.host.world.kernel.marks.hit("kafka.truncate");
      this.host.world.kernel.trace.record("kafka.truncate", `${this.host.node.name}:${this.topicPartition}`, before, this.log.logEndOffset);
      this.host.world.clusterLog.record("truncation", this.topicPartition, this.host.node.name, this.state.leaderEpoch, `offset ${before} → ${this.log.logEndOffset}`, this.log.logEndOffset);
    }
    this.highWatermarkNow = Math.min(this.highWatermarkNow, this.log.logEndOffset);
    this.flush.clampTo(this.log.logEndOffset);
  }

  // ------------------------------------------------------------ leader: produce

  /** Part `part` of a ProduceRequest: this partition's batch. Answered through `answer`, now or from the purgatory. */
  onProduce(answer: ProduceAnswer, part: number, batch: RecordBatch, acks: -1 | 0 | 1, timeoutMs: number): void {
    if (this.role !== "leader") return answer.answer(part, "NOT_LEADER_OR_FOLLOWER", -1);
    if (acks === -1 && this.isUnderMinIsr()) {
      this.host.world.kernel.marks.hit("kafka.produce.not-enough-replicas");
      return answer.answer(part, "NOT_ENOUGH_REPLICAS", -1);
    }
    const incoming = batch;
    let baseOffset: number;
    let flushEndOffset = 0;
    let isDuplicate = false;
    const sequence = incoming.producerId >= 0 ? this.producers.check(incoming.producerId, incoming.baseSequence, incoming.count) : null;
    if (sequence?.kind === "out-of-order") {
      this.host.world.kernel.marks.hit("kafka.produce.out-of-order");
      return answer.answer(part, "OUT_OF_ORDER_SEQUENCE_NUMBER", -1);
    }
    if (sequence?.kind === "duplicate") {
      // A retry of a batch we already have (KIP-98): answer with where it landed, never append twice.
      this.host.world.kernel.marks.hit("kafka.produce.duplicate");
      baseOffset = sequence.baseOffset;
      isDuplicate = true;
    } else {
      baseOffset = this.log.logEndOffset;
      const appended: RecordBatch = { ...incoming, baseOffset, leaderEpoch: this.state.leaderEpoch };
      // The handler thread's write(): it may block on the dirty limit (the answer waits for it).
      if (this.log.append(appended, answer) !== "ok") return answer.answer(part, "KAFKA_STORAGE_ERROR", -1);
      if (incoming.producerId >= 0) this.producers.onAppend(appended);
      flushEndOffset = this.flush.afterAppend(incoming.count);
    }
    const endOffset = baseOffset + incoming.count;
    if (acks === 0 || (acks === 1 && flushEndOffset === 0)) answer.answer(part, "NONE", baseOffset);
    else {
      const deadlineNs = this.host.node.now + msToNs(timeoutMs);
      this.pending.add({ answer, part, baseOffset, endOffset, requiresHighWatermark: acks === -1, flushEndOffset, deadlineNs });
    }
    this.maybeAdvanceHighWatermark();
    // Kafka's DelayedProduce tries to complete at once: a retry of a batch the
    // high watermark already covers is answered now. Waiting for the next
    // advance could wait forever, as an idempotent producer holds the
    // partition's later batches until this one is answered.
    if (isDuplicate) this.answerSettledProduces();
    this.wakeParkedFetches();
  }

  /** The background flusher's check (log.flush.interval.ms). */
  flushIfDue(intervalNs: number): void {
    this.flush.flushIfDue(intervalNs);
  }

  // ------------------------------------------------------------ leader: fetch

  /** Why a fetch of this partition cannot be served (NONE when it can): Kafka's leader, epoch (KIP-320) and offset checks. */
  fetchError(part: FetchPartition): KafkaError {
    if (this.role !== "leader") return "NOT_LEADER_OR_FOLLOWER";
    if (part.currentLeaderEpoch < this.state.leaderEpoch) return "FENCED_LEADER_EPOCH";
    if (part.currentLeaderEpoch > this.state.leaderEpoch) return "UNKNOWN_LEADER_EPOCH";
    if (part.fetchOffset > this.log.logEndOffset) return "OFFSET_OUT_OF_RANGE";
    return "NONE";
  }

  /** A follower's fetch arrived: its log end is its fetch offset (ISR and high watermark follow). */
  onFollowerFetched(replica: string, part: FetchPartition): void {
    if (this.fetchError(part) === "NONE") this.onFollowerFetch(replica, part.fetchOffset);
  }

  /** A fetch waits here until this partition has something to read (or its own deadline). */
  park(fetch: DelayedFetch): void {
    this.waiters.push(fetch);
  }

  /** What this partition answers a fetch with: up to `maxBytes` (at least one batch when `isFirst`), followers to the log end, consumers to the high watermark. */
  readForFetch(part: FetchPartition, maxBytes: number, isFollower: boolean, isFirst: boolean): FetchPartitionData {
    const error = this.fetchError(part);
    let batches: RecordBatch[] = NO_BATCHES;
    if (error === "NONE" && (maxBytes > 0 || isFirst)) {
      batches = this.log.read(part.fetchOffset, Math.max(1, maxBytes));
      if (!isFollower) batches = batches.filter((batch) => batch.baseOffset + batch.count <= this.highWatermarkNow);
      if (!isFirst && batches.length > 0) {
        // Past the first partition with data, a batch that does not fit waits for the next fetch.
        let bytes = 0;
        let fits = 0;
        for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
          const batch = batches[batchIndex]!;
          if (bytes + batch.bytes > maxBytes) break;
          bytes += batch.bytes;
          fits++;
        }
        batches = batches.slice(0, fits);
      }
    }
    for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
      const batch = batches[batchIndex]!;
      if (!isFollower) assert(batch.baseOffset + batch.count <= this.highWatermarkNow, "a consumer must never read past the high watermark");
    }
    return { topicPartition: this.topicPartition, error, highWatermark: this.highWatermarkNow, logEndOffset: this.log.logEndOffset, batches };
  }

  /** OffsetsForLeaderEpoch (KIP-101): a follower asks where `leaderEpoch` ends in our log. */
  onOffsetsForLeaderEpoch(endpoint: Endpoint, request: OffsetsForLeaderEpochRequest): void {
    const answer = (error: KafkaError, leaderEpoch: number, endOffset: number): void =>
      this.respond(endpoint, { kind: "offsets-for-leader-epoch-response", correlationId: request.correlationId, topicPartition: this.topicPartition, error, leaderEpoch, endOffset });
    if (this.role !== "leader") return answer("NOT_LEADER_OR_FOLLOWER", -1, -1);
    if (request.currentLeaderEpoch !== this.state.leaderEpoch) return answer(request.currentLeaderEpoch < this.state.leaderEpoch ? "FENCED_LEADER_EPOCH" : "UNKNOWN_LEADER_EPOCH", -1, -1);
    const entry = this.log.endOffsetForEpoch(request.leaderEpoch);
    answer("NONE", entry.epoch, entry.endOffset);
  }

  /** Whether readForFetch would return a batch, without building the list. */
  hasReadable(part: FetchPartition, isFollower: boolean): boolean {
    const batchEnd = this.log.endOfBatchContaining(part.fetchOffset);
    if (batchEnd < 0) return false;
    // Batches end in increasing order: a consumer sees any only if the first is under the high watermark.
    return isFollower || batchEnd <= this.highWatermarkNow;
  }

  /** Something changed here (data, high watermark, role): parked fetches that can now answer do, now or when the request being handled ends. */
  private wakeParkedFetches(): void {
    if (!this.host.actions.defer(this)) this.completeParkedFetches();
  }

  /** Kafka's delayedFetchPurgatory.checkAndComplete for this partition. */
  completeParkedFetches(): void {
    // Each parked fetch is asked once; those still waiting go back in their order. Nothing parks
    // meanwhile: an answer that frees a connection starts its next request in an event of its own.
    for (let left = this.waiters.length; left > 0; left--) {
      const fetch = this.waiters.shift()!;
      if (!fetch.tryComplete()) this.waiters.push(fetch);
    }
  }

  /** Kafka's Replica.updateFetchState: caught up if it reached the leader's LEO as of now or as of its last fetch. */
  private onFollowerFetch(replica: string, fetchOffset: number): void {
    const progress = this.followers.get(replica);
    if (progress === undefined) return;
    const now = this.host.node.now;
    const leaderLeo = this.log.logEndOffset;
    if (fetchOffset >= leaderLeo) progress.lastCaughtUpNs = now;
    else if (fetchOffset >= progress.lastFetchLeaderLeo) progress.lastCaughtUpNs = progress.lastFetchNs;
    progress.lastFetchLeaderLeo = leaderLeo;
    progress.lastFetchNs = now;
    progress.logEndOffset = fetchOffset;
    if (!this.state.isr.includes(replica) && fetchOffset >= this.highWatermarkNow && fetchOffset >= this.epochStartOffset()) {
      this.requestIsr([...this.state.isr, replica]);
    }
    this.maybeAdvanceHighWatermark();
  }

  private epochStartOffset(): number {
    const entry = this.log.endOffsetForEpoch(this.state.leaderEpoch - 1);
    return Math.min(entry.endOffset, this.log.logEndOffset);
  }

  /**
   * The high watermark is the smallest log end offset in the maximal ISR (the
   * committed one with a pending change's members kept: KIP-497); it never
   * goes back, and it does not move at all while the ISR is below
   * min.insync.replicas (KAFKA-15583, Kafka 3.7+), so consumers never read
   * what acks=all producers were told failed.
   */
  private maybeAdvanceHighWatermark(): void {
    if (this.role !== "leader" || this.isUnderMinIsr()) return;
    let candidate = this.log.logEndOffset;
    const maximalIsr = this.maximalIsr();
    for (let memberIndex = 0; memberIndex < maximalIsr.length; memberIndex++) {
      const member = maximalIsr[memberIndex]!;
      if (member === this.host.node.name) continue;
      const progress = this.followers.get(member);
      candidate = Math.min(candidate, progress === undefined ? -1 : progress.logEndOffset);
    }
    if (candidate <= this.highWatermarkNow) return;
    this.highWatermarkNow = candidate;
    const isr = this.state.isr;
    for (let memberIndex = 0; memberIndex < isr.length; memberIndex++) {
      const member = isr[memberIndex]!;
      const memberLeo = member === this.host.node.name ? this.log.logEndOffset : this.followers.get(member)!.logEndOffset;
      assert(this.highWatermarkNow <= memberLeo, "high watermark above an in-sync replica's log end");
    }
    // Kafka's DelayedProduce: once the high watermark covers the write, it is
    // acknowledged only if the ISR still has min.insync.replicas members.
    this.answerSettledProduces();
    this.wakeParkedFetches();
  }

  /** Kafka's effectiveMinIsr: min.insync.replicas, but never more than the replicas there are. */
  private effectiveMinIsr(): number {
    return Math.min(this.host.config["min.insync.replicas"], this.state.replicas.length);
  }

  /** Partition.isUnderMinIsr: the committed ISR is below the effective minimum. */
  private isUnderMinIsr(): boolean {
    return this.state.isr.length < this.effectiveMinIsr();
  }

  /** The committed ISR with the members of a pending change: an addition counts already, a removal not yet. */
  private maximalIsr(): readonly string[] {
    if (this.pendingIsr === null) return this.state.isr;
    const union = [...this.state.isr];
    const memberList = this.pendingIsr;
    for (let memberIndex = 0; memberIndex < memberList.length; memberIndex++) {
      const member = memberList[memberIndex]!;
      if (!union.includes(member)) union.push(member);
    }
    return union;
  }

  /** Answers the waiting produces whose high watermark (acks=all) and flush are both done. */
  private answerSettledProduces(): void {
    this.pending.answerSettled(this.highWatermarkNow, this.flush.flushedEndOffset, this.maximalIsr().length < this.effectiveMinIsr());
  }

  /** Periodic: followers that have not caught up within replica.lag.time.max.ms leave the ISR. */
  checkIsrLag(): void {
    if (this.role !== "leader") return;
    const lagNs = msToNs(this.host.config["replica.lag.time.max.ms"]);
    const now = this.host.node.now;
    const keep = this.state.isr.filter((member) => {
      if (member === this.host.node.name) return true;
      const progress = this.followers.get(member);
      return progress !== undefined && now - progress.lastCaughtUpNs <= lagNs;
    });
    if (keep.length < this.state.isr.length) this.requestIsr(keep);
  }

  private requestIsr(newIsr: string[]): void {
    if (this.pendingIsr !== null) return;
    const isSent = this.host.sendToController({
      kind: "alter-partition",
      broker: this.host.node.name,
      brokerEpoch: this.host.brokerEpoch,
      topicPartition: this.topicPartition,
      leaderEpoch: this.state.leaderEpoch,
      partitionEpoch: this.state.partitionEpoch,
      newIsr,
    });
    if (isSent) this.pendingIsr = [...newIsr];
  }

  onAlterPartitionRejected(): void {
    this.pendingIsr = null;
  }

  private respond(endpoint: Endpoint, message: KafkaMessage): void {
    if (endpoint.isOpen) endpoint.send(message, wireBytesOf(message));
  }
}
