/**
 * The consumer's metadata: who leads each partition, at which leader epoch,
 * as the brokers tell it. One MetadataRequest at a time, to the bootstrap
 * brokers in turn (the Java client asks its "least loaded" broker; taking
 * turns stands in for that and keeps one broker with a stale cache from
 * holding the consumer back); a broker that cannot be reached is skipped for
 * the next one after retry.backoff.ms.
 *
 * A partition's entry is replaced only by one with an equal or newer leader
 * epoch (KIP-320), so a broker with a stale cache cannot send the consumer
 * back to a deposed leader.
 */
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { DurationNs } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { ConsumerLink } from "./consumer-link.js";
import type { MetadataResponse } from "./protocol.js";

export interface LeaderInfo {
  /** Broker name, or null while the partition is offline. */
  leader: string | null;
  leaderEpoch: number;
}

export class ConsumerMetadata {
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly bootstrap: readonly WorldNode[];
  private readonly retryBackoffNs: DurationNs;
  private readonly linkTo: (broker: string) => ConsumerLink;
  private readonly nextCorrelationId: () => number;
  private readonly onUpdate: () => void;
  private readonly leaders = new Map<string, LeaderInfo>();
  private isWanted = false;
  private inFlight = 0;
  private backoff: EventHandle = NO_EVENT;
  private bootstrapIndex = 0;
  private isClosed = false;
  private readonly onBackoffBound = (): void => {
    this.backoff = NO_EVENT;
    this.send();
  };

  constructor(options: {
    world: World;
    node: WorldNode;
    bootstrap: readonly WorldNode[];
    retryBackoffNs: DurationNs;
    /** The owner's connection to a broker (shared with its fetches). */
    linkTo: (broker: string) => ConsumerLink;
    /** Correlation ids are per connection, and the connections are shared. */
    nextCorrelationId: () => number;
    /** A response was applied. */
    onUpdate: () => void;
  }) {
    if (options.bootstrap.length === 0) throw new Error("a consumer needs at least one bootstrap broker");
    this.world = options.world;
    this.node = options.node;
    this.bootstrap = options.bootstrap;
    this.retryBackoffNs = options.retryBackoffNs;
    this.linkTo = options.linkTo;
    this.nextCorrelationId = options.nextCorrelationId;
    this.onUpdate = options.onUpdate;
  }

  leader(topicPartition: string): LeaderInfo | undefined {
    return this.leaders.get(topicPartition);
  }

  /** Asks for fresh metadata now (or when the request in flight or the backoff ends). */
  refresh(): void {
    this.isWanted = true;
    this.send();
  }

  /** Asks again after retry.backoff.ms (a partition is still offline). */
  refreshLater(): void {
    this.isWanted = true;
    if (this.backoff === NO_EVENT && this.inFlight === 0) this.backoff = this.node.after(this.retryBackoffNs, this.onBackoffBound);
  }

  close(): void {
    this.isClosed = true;
    this.node.cancel(this.backoff);
  }

  onLinkOpen(link: ConsumerLink): void {
    if (link.peer === this.bootstrap[this.bootstrapIndex]) this.send();
  }

  /** Applies the answer to our request in flight (any other is stale). */
  onResponse(message: MetadataResponse & { correlationId: number }): void {
    if (message.correlationId !== this.inFlight) return;
    this.inFlight = 0;
    this.isWanted = false;
    this.bootstrapIndex = (this.bootstrapIndex + 1) % this.bootstrap.length;
    for (const state of message.partitions) {
      const known = this.leaders.get(state.topicPartition);
      if (known === undefined || state.leaderEpoch >= known.leaderEpoch) this.leaders.set(state.topicPartition, { leader: state.leader, leaderEpoch: state.leaderEpoch });
    }
    this.onUpdate();
  }

  onLinkLost(link: ConsumerLink, lost: readonly number[]): void {
    if (lost.includes(this.inFlight)) this.inFlight = 0;
    // A bootstrap broker that cannot be reached: ask the next one, after the backoff.
    if (this.isWanted && this.inFlight === 0 && link.peer === this.bootstrap[this.bootstrapIndex]) {
      this.bootstrapIndex = (this.bootstrapIndex + 1) % this.bootstrap.length;
      this.refreshLater();
    }
  }

  private send(): void {
    if (this.isClosed || !this.isWanted || this.inFlight !== 0 || this.backoff !== NO_EVENT) return;
    const link = this.linkTo(this.bootstrap[this.bootstrapIndex]!.name);
    if (!link.isOpen) return link.ensureConnecting();
    const correlationId = this.nextCorrelationId();
    link.request({ kind: "metadata", correlationId });
    this.inFlight = correlationId;
    this.world.kernel.marks.hit("kafka.consumer.metadata-request");
  }
}
