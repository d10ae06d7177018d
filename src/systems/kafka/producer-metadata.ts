/**
 * The producer's metadata: which broker leads each partition, and the
 * bookkeeping for refreshing that view (Kafka's ProducerMetadata plus the
 * refresh logic of NetworkClient's DefaultMetadataUpdater).
 *
 * MetadataRequests go to the bootstrap brokers in round robin: a failed
 * attempt (refused connection, timeout, broken connection) moves on to the
 * next one after retry.backoff.ms. Kafka sends them to the least-loaded
 * known broker instead; round robin over the bootstrap list is simpler and,
 * for a small cluster, visits the same brokers.
 *
 * A response never moves a partition's leader epoch backwards (KIP-320): a
 * broker that has not heard of the latest election yet cannot send the
 * producer back to the old leader.
 */
import { assert } from "../../kernel/index.js";
import type { DurationNs, TimeNs } from "../../kernel/index.js";
import type { MetadataResponse, PartitionState } from "./protocol.js";

export class ProducerMetadata {
  private readonly bootstrap: readonly string[];
  private readonly retryBackoffNs: DurationNs;
  private readonly maxAgeNs: DurationNs;
  /** The producer's own copies: `leader` is set to null when a broker says it is not the leader. */
  private readonly states = new Map<string, PartitionState>();
  /** A refresh has been asked for and not yet satisfied. */
  private isWanted = true;
  /** The bootstrap broker a refresh is underway with (connecting or request sent), or null. */
  private targetNow: string | null = null;
  private isSent = false;
  private retryAtNsNow: TimeNs = 0;
  private cursor = 0;
  private refreshedAtNs: TimeNs = -1;

  constructor(options: { bootstrap: readonly string[]; retryBackoffNs: DurationNs; maxAgeNs: DurationNs }) {
    assert(options.bootstrap.length > 0, "a producer needs at least one bootstrap broker");
    this.bootstrap = options.bootstrap;
    this.retryBackoffNs = options.retryBackoffNs;
    this.maxAgeNs = options.maxAgeNs;
  }

  leaderOf(topicPartition: string): string | null {
    return this.states.get(topicPartition)?.leader ?? null;
  }

  get wanted(): boolean {
    return this.isWanted;
  }

  /** True once any MetadataResponse has arrived. */
  get hasEverRefreshed(): boolean {
    return this.refreshedAtNs >= 0;
  }

  /** The broker a refresh is underway with, or null. */
  get target(): string | null {
    return this.targetNow;
  }

  /** The request itself is on the wire (not just the connection being made). */
  get isRequestSent(): boolean {
    return this.isSent;
  }

  get retryAtNs(): TimeNs {
    return this.retryAtNsNow;
  }

  requestUpdate(): void {
    this.isWanted = true;
  }

  /** metadata.max.age.ms: metadata this old is refreshed before it is next relied on. */
  requestUpdateIfStale(now: TimeNs): void {
    if (this.refreshedAtNs >= 0 && now - this.refreshedAtNs >= this.maxAgeNs) this.isWanted = true;
  }

  /**
   * Forgets a leader that said it is not one, so batches wait for fresh
   * metadata instead of going back to it. A late answer from a broker the
   * producer already moved away from changes nothing.
   */
  forgetLeader(topicPartition: string, broker: string): void {
    const state = this.states.get(topicPartition);
    if (state !== undefined && state.leader === broker) state.leader = null;
  }

  /** Starts a refresh attempt; returns the broker to ask. */
  begin(): string {
    assert(this.isWanted && this.targetNow === null, "metadata refresh started twice");
    const target = this.bootstrap[this.cursor % this.bootstrap.length]!;
    this.targetNow = target;
    this.isSent = false;
    return target;
  }

  markSent(): void {
    assert(this.targetNow !== null && !this.isSent, "metadata request sent without a refresh underway");
    this.isSent = true;
  }

  /** The attempt failed: try the next bootstrap broker after retry.backoff.ms. */
  fail(now: TimeNs): void {
    assert(this.targetNow !== null, "metadata refresh failed without one underway");
    this.targetNow = null;
    this.isSent = false;
    this.cursor++;
    this.retryAtNsNow = now + this.retryBackoffNs;
  }

  apply(response: MetadataResponse, now: TimeNs): void {
    assert(this.targetNow !== null && this.isSent, "metadata response without a request");
    for (const state of response.partitions) {
      const known = this.states.get(state.topicPartition);
      if (known !== undefined && state.leaderEpoch < known.leaderEpoch) continue;
      this.states.set(state.topicPartition, { ...state, isr: [...state.isr], replicas: [...state.replicas] });
    }
    this.targetNow = null;
    this.isSent = false;
    this.isWanted = false;
    this.refreshedAtNs = now;
    // The next refresh (if a leader is still missing) waits retry.backoff.ms, as Kafka's does.
    this.retryAtNsNow = now + this.retryBackoffNs;
  }
}
