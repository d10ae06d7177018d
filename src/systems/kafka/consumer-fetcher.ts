/**
 * The consumer's fetcher (Kafka's Fetcher): one fetch in flight per broker,
 * carrying every assigned partition that broker leads whose position is
 * known and that has nothing buffered, as the Java client's fetch sessions
 * do — answered when any of them has data or after fetch.max.wait.ms — and
 * the buffer of fetched records that poll() hands to the application.
 *
 * - Consumers read committed data only: the leader caps a consumer fetch at
 *   the high watermark (and asserts it), so the fetcher never sees more.
 * - Metadata (consumer-metadata.ts) is refreshed after NOT_LEADER_OR_FOLLOWER,
 *   FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, any other fetch error, a lost
 *   connection, or while a partition is offline.
 * - A fetch beyond the leader's log end (OFFSET_OUT_OF_RANGE: the log was
 *   truncated under the consumer, which only an unclean election does) resets
 *   the position to the leader's log end, where the logs diverge — what
 *   KIP-320's truncation detection does. Simplification: KIP-320 also
 *   validates positions *inside* the log after every leader change; mqsim
 *   does not, so after an unclean election a consumer may read a diverged
 *   suffix at offsets it thinks it knows.
 * - auto.offset.reset "latest" (no committed offset) needs the high
 *   watermark: Kafka asks with ListOffsets; mqsim sends a fetch that does
 *   not wait, whose answer carries it.
 *
 * Fetch failures open an unavailability window in the history ("op-failed",
 * op "receive", once per partition that starts failing); the first
 * successful fetch with no partition failing closes it ("op-ok").
 */
import { assert } from "../../kernel/index.js";
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { ResolvedConsumerConfig } from "./consumer-config.js";
import { ConsumerLink, type ConsumerLinkOwner } from "./consumer-link.js";
import { ConsumerMetadata } from "./consumer-metadata.js";
import { FetchBuffer, type PolledRecords } from "./consumer-fetch-buffer.js";
import { PollFetches } from "./consumer-poll-fetches.js";
import { ReceiveAvailability } from "./receive-availability.js";
import { DATA_CLASS, DATA_PORT, type FetchPartition, type FetchPartitionData, type FetchResponse, type KafkaMessage } from "./protocol.js";

export interface FetcherOwner {
  /** Records arrived in the buffer. */
  onFetchable(): void;
}

interface AssignedPartition {
  readonly topicPartition: string;
  /** "offset": awaiting the committed offset; "reset": looking up the high watermark; "fetch": fetching. */
  phase: "offset" | "reset" | "fetch";
  /** Offset of the next record poll() returns (-1 until known). */
  position: number;
  /** Offset of the next record to fetch (equals position whenever nothing is buffered). */
  fetchOffset: number;
  /** Correlation id of the fetch in flight, or 0. */
  inFlight: number;
  buffered: number;
  backoff: EventHandle;
  isFailing: boolean;
}

export class ConsumerFetcher implements ConsumerLinkOwner {
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly config: ResolvedConsumerConfig;
  private readonly history: History;
  private readonly clientName: string;
  private readonly owner: FetcherOwner;
  /** Assigned partitions in assignment order. */
  private partitions = new Map<string, AssignedPartition>();
  private readonly buffer = new FetchBuffer();
  /** Broker links in the order first needed. */
  private readonly links = new Map<string, ConsumerLink>();
  /** Fetches in flight by correlation id: the partitions each carries. */
  private readonly fetches = new Map<number, AssignedPartition[]>();
  /** The session fetch in flight to each broker (one at a time per broker). */
  private readonly sessionFetches = new Map<string, number>();
  /** Brokers whose next session fetch waits for the application's poll. */
  private readonly pollFetches: PollFetches;
  /** While a response is being taken apart, new fetches wait for the end of it (one request for all). */
  private isTakingResponse = false;
  private readonly metadata: ConsumerMetadata;
  private correlationIdNext = 1;
  /** Receive-unavailability windows for the History. */
  private readonly availability: ReceiveAvailability;
  private isClosed = false;
  private readonly onBackoffBound = (partition: AssignedPartition): void => {
    partition.backoff = NO_EVENT;
    this.maybeFetch(partition);
  };

  constructor(options: {
    world: World;
    node: WorldNode;
    bootstrap: readonly WorldNode[];
    config: ResolvedConsumerConfig;
    history: History;
    clientName: string;
    owner: FetcherOwner;
  }) {
    this.world = options.world;
    this.node = options.node;
    this.config = options.config;
    this.history = options.history;
    this.clientName = options.clientName;
    this.availability = new ReceiveAvailability(this.node, this.history, this.clientName);
    this.owner = options.owner;
    this.pollFetches = new PollFetches({ leaderOf: (topicPartition) => this.leaderOf(topicPartition), fetchFrom: (broker) => this.fetchFrom(broker) }, this.buffer, this.config.maxPollRecords);
    this.metadata = new ConsumerMetadata({
      world: options.world,
      node: options.node,
      bootstrap: options.bootstrap,
      retryBackoffNs: options.config.retryBackoffNs,
      linkTo: (broker) => this.linkTo(broker),
      nextCorrelationId: () => this.correlationIdNext++,
      onUpdate: () => this.onMetadata(),
    });
  }

  start(): void {
    this.metadata.refresh();
  }

  close(): void {
    this.isClosed = true;
    for (const partition of this.partitions.values()) this.node.cancel(partition.backoff);
    this.metadata.close();
    for (const link of this.links.values()) link.close();
  }

  // ---------------------------------------------------------------- assignment and positions

  /** Takes a new assignment; returns the partitions it adds (they need their committed offsets). */
  assign(assignment: readonly string[]): string[] {
    const next = new Map<string, AssignedPartition>();
    const added: string[] = [];
    for (const topicPartition of assignment) {
      const kept = this.partitions.get(topicPartition);
      if (kept !== undefined) {
        next.set(topicPartition, kept);
        continue;
      }
      next.set(topicPartition, { topicPartition, phase: "offset", position: -1, fetchOffset: -1, inFlight: 0, buffered: 0, backoff: NO_EVENT, isFailing: false });
      added.push(topicPartition);
    }
    for (const [topicPartition, partition] of this.partitions) if (!next.has(topicPartition)) this.drop(partition);
    this.partitions = next;
    // A broker waiting for a poll of dropped records need not wait for a poll that may not come (only now
    // that the assignment is consistent again, so no fetch names a dropped partition).
    this.sendFetches(null);
    return added;
  }

  /** Stops consuming one partition (the coordinator said it is not ours). */
  release(topicPartition: string): void {
    const partition = this.partitions.get(topicPartition);
    if (partition === undefined) return;
    this.drop(partition);
    this.partitions.delete(topicPartition);
    this.sendFetches(null); // as in assign()
  }

  isAssigned(topicPartition: string): boolean {
    return this.partitions.has(topicPartition);
  }

  assignment(): string[] {
    return [...this.partitions.keys()];
  }

  /** Per assigned partition with a known position: the offset of the next record poll() returns. */
  positions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [topicPartition, partition] of this.partitions) if (partition.position >= 0) out.set(topicPartition, partition.position);
    return out;
  }

  /** -1 when unassigned or not yet known. */
  position(topicPartition: string): number {
    return this.partitions.get(topicPartition)?.position ?? -1;
  }

  /** The group's committed offset arrived: start there, or apply auto.offset.reset when there is none. */
  seekCommitted(topicPartition: string, committed: number): void {
    const partition = this.partitions.get(topicPartition);
    if (partition === undefined || partition.phase !== "offset") return;
    if (committed >= 0) return this.seek(partition, committed);
    if (this.config.kafka["auto.offset.reset"] === "earliest") return this.seek(partition, 0); // mqsim keeps every log from offset 0
    partition.phase = "reset";
    this.maybeFetch(partition);
  }

  /** Moves the position (dropping what is buffered or in flight for the partition) and fetches from there. */
  seekTo(topicPartition: string, offset: number): void {
    const partition = this.partitions.get(topicPartition);
    if (partition !== undefined) this.seek(partition, offset);
  }

  // ---------------------------------------------------------------- poll

  /** Hands the application up to `maxRecords` records of one partition, or null when nothing is buffered. */
  poll(maxRecords: number): PolledRecords | null {
    const head = this.buffer.head();
    if (head === undefined) {
      this.sendFetches(null);
      return null;
    }
    const partition = this.partitions.get(head.topicPartition)!;
    assert(partition.position === head.position, `poll of ${head.topicPartition} at ${head.position}, position ${partition.position}`);
    if (head.count <= maxRecords) {
      this.buffer.shift();
      partition.buffered--;
      partition.position += head.count;
      this.sendFetches(partition);
      return head;
    }
    const out = this.buffer.takeFromHead(maxRecords);
    partition.position += maxRecords;
    this.sendFetches(partition);
    return out;
  }

  hasBuffered(): boolean {
    return this.buffer.length > 0;
  }

  // ---------------------------------------------------------------- ConsumerLinkOwner

  onLinkOpen(link: ConsumerLink): void {
    if (this.isClosed) return;
    this.metadata.onLinkOpen(link);
    for (const partition of this.partitions.values()) {
      if (this.leaderOf(partition.topicPartition) === link.peer.name) this.maybeFetch(partition);
    }
  }

  onLinkResponse(_link: ConsumerLink, message: KafkaMessage & { correlationId: number }): void {
    if (this.isClosed) return;
    if (message.kind === "metadata-response") return this.metadata.onResponse(message);
    if (message.kind === "fetch-response") return this.onFetchResponse(message);
  }

  onLinkLost(link: ConsumerLink, lost: readonly number[], error: "NETWORK_EXCEPTION" | "REQUEST_TIMED_OUT"): void {
    if (this.isClosed) return;
    for (const correlationId of lost) {
      const members = this.fetches.get(correlationId);
      this.fetches.delete(correlationId);
      if (this.sessionFetches.get(link.peer.name) === correlationId) this.sessionFetches.delete(link.peer.name);
      for (const partition of members ?? []) {
        if (partition.inFlight !== correlationId) continue;
        partition.inFlight = 0;
        this.failed(partition, error);
      }
    }
    // Partitions waiting for this connection to open (it was refused, or broke while idle) retry after the backoff.
    for (const partition of this.partitions.values()) {
      if (partition.phase === "offset" || partition.inFlight !== 0 || partition.buffered > 0 || partition.backoff !== NO_EVENT) continue;
      if (this.leaderOf(partition.topicPartition) === link.peer.name) this.failed(partition, error);
    }
    this.metadata.onLinkLost(link, lost);
  }

  // ---------------------------------------------------------------- fetch loop

  private maybeFetch(partition: AssignedPartition): void {
    if (this.isClosed || partition.phase === "offset" || partition.inFlight !== 0 || partition.buffered > 0 || partition.backoff !== NO_EVENT) return;
    if (this.partitions.get(partition.topicPartition) !== partition) return;
    const info = this.metadata.leader(partition.topicPartition);
    if (info === undefined || info.leader === null) {
      if (info !== undefined) this.availability.markFailing(partition, "LEADER_NOT_AVAILABLE");
      this.metadata.refresh();
      return;
    }
    if (partition.phase === "fetch") return this.fetchFrom(info.leader);
    // auto.offset.reset=latest: a fetch that does not wait, for the high watermark it carries (Kafka's ListOffsets).
    const link = this.linkTo(info.leader);
    if (!link.isOpen) return link.ensureConnecting();
    const correlationId = this.correlationIdNext++;
    link.request({
      kind: "fetch",
      correlationId,
      replica: null,
      maxWaitMs: 0,
      maxBytes: 1,
      partitions: [{ topicPartition: partition.topicPartition, fetchOffset: 0, currentLeaderEpoch: info.leaderEpoch, maxBytes: 1 }],
    });
    partition.inFlight = correlationId;
    this.fetches.set(correlationId, [partition]);
  }

  /** Java's sendFetches at the end of poll(): see PollFetches. */
  private sendFetches(polled: AssignedPartition | null): void {
    // Inside a response, fetchFrom sends nothing: the waiting brokers are looked at once it is taken apart.
    if (this.isClosed || this.isTakingResponse) return;
    this.pollFetches.send(polled === null ? null : this.leaderOf(polled.topicPartition));
  }

  private leaderOf(topicPartition: string): string | null {
    return this.metadata.leader(topicPartition)?.leader ?? null;
  }

  /** The session fetch to `broker`: every fetchable partition it leads, unless one is in flight already. */
  private fetchFrom(broker: string): void {
    if (this.isTakingResponse || this.sessionFetches.has(broker)) return;
    const link = this.linkTo(broker);
    if (!link.isOpen) return link.ensureConnecting();
    const members: AssignedPartition[] = [];
    const parts: FetchPartition[] = [];
    for (const partition of this.partitions.values()) {
      if (partition.phase !== "fetch" || partition.inFlight !== 0 || partition.buffered > 0 || partition.backoff !== NO_EVENT) continue;
      const info = this.metadata.leader(partition.topicPartition);
      if (info === undefined || info.leader !== broker) continue;
      members.push(partition);
      parts.push({ topicPartition: partition.topicPartition, fetchOffset: partition.fetchOffset, currentLeaderEpoch: info.leaderEpoch, maxBytes: this.config.maxPartitionFetchBytes });
    }
    if (members.length === 0) return;
    const correlationId = this.correlationIdNext++;
    link.request({ kind: "fetch", correlationId, replica: null, maxWaitMs: this.config.fetchMaxWaitMs, maxBytes: this.config.fetchMaxBytes, partitions: parts });
    for (const partition of members) partition.inFlight = correlationId;
    this.fetches.set(correlationId, members);
    this.sessionFetches.set(broker, correlationId);
  }

  private onFetchResponse(message: FetchResponse & { correlationId: number }): void {
    const members = this.fetches.get(message.correlationId);
    this.fetches.delete(message.correlationId);
    if (members === undefined) return;
    let broker: string | null = null;
    for (const [name, correlationId] of this.sessionFetches) {
      if (correlationId !== message.correlationId) continue;
      broker = name;
      this.sessionFetches.delete(name);
      break;
    }
    this.isTakingResponse = true;
    let hasNewRecords = false;
    for (const data of message.partitions) {
      const partition = this.partitions.get(data.topicPartition);
      // Answers for a partition since revoked or moved by a seek are stale.
      if (partition === undefined || partition.inFlight !== message.correlationId) continue;
      partition.inFlight = 0;
      const before = partition.buffered;
      this.onPartitionData(partition, data);
      if (partition.buffered > before) hasNewRecords = true;
    }
    this.isTakingResponse = false;
    const brokers = new Set<string>();
    if (broker !== null) brokers.add(broker);
    for (const partition of members) {
      const leader = this.leaderOf(partition.topicPartition);
      if (leader !== null) brokers.add(leader);
    }
    if (hasNewRecords) {
      // Sending now would leave the partitions that just got records out of the fetch, to wait
      // behind it up to fetch.max.wait.ms; Java sends from poll(), after draining (PollFetches).
      for (const name of brokers) this.pollFetches.awaitPoll(name);
      this.owner.onFetchable();
      return;
    }
    // Nothing new for the application: the next session fetch to these brokers goes now, and to any
    // waiting for a poll whose records are gone (a seek or a revocation dropped them).
    for (const name of brokers) this.fetchFrom(name);
    this.sendFetches(null);
  }

  private onPartitionData(partition: AssignedPartition, message: FetchPartitionData): void {
    if (message.error === "OFFSET_OUT_OF_RANGE") {
      this.world.kernel.marks.hit("kafka.consumer.offset-out-of-range");
      this.world.kernel.trace.record("kafka.consumer.reset", `${this.clientName}:${partition.topicPartition}`, partition.fetchOffset, message.logEndOffset);
      return this.seek(partition, message.logEndOffset);
    }
    if (message.error !== "NONE") return this.failed(partition, message.error);
    this.availability.markOk(partition);
    if (partition.phase === "reset") return this.seek(partition, message.highWatermark);
    for (const batch of message.batches) {
      const end = batch.baseOffset + batch.count;
      if (end <= partition.fetchOffset) continue;
      // Whole batches come back; records below the position are skipped, as the Java client does.
      assert(batch.baseOffset <= partition.fetchOffset, `${partition.topicPartition}: fetched batch at ${batch.baseOffset} after a gap from ${partition.fetchOffset}`);
      const skip = partition.fetchOffset - batch.baseOffset;
      this.buffer.push({ topicPartition: partition.topicPartition, position: partition.fetchOffset, idFirst: batch.idFirst + skip, count: batch.count - skip });
      partition.buffered++;
      partition.fetchOffset = end;
    }
  }

  private failed(partition: AssignedPartition, error: string): void {
    this.world.kernel.marks.hit("kafka.consumer.fetch-error");
    this.availability.markFailing(partition, error);
    this.metadata.refresh();
    this.node.cancel(partition.backoff);
    partition.backoff = this.node.after(this.config.retryBackoffNs, this.onBackoffBound, partition);
  }

  private seek(partition: AssignedPartition, offset: number): void {
    assert(Number.isSafeInteger(offset) && offset >= 0, `seek of ${partition.topicPartition} to ${offset}`);
    this.unbuffer(partition);
    partition.phase = "fetch";
    partition.position = offset;
    partition.fetchOffset = offset;
    partition.inFlight = 0;
    this.node.cancel(partition.backoff);
    partition.backoff = NO_EVENT;
    this.maybeFetch(partition);
  }

  private drop(partition: AssignedPartition): void {
    this.unbuffer(partition);
    this.node.cancel(partition.backoff);
    partition.backoff = NO_EVENT;
    partition.inFlight = 0;
    this.availability.forget(partition);
  }

  private unbuffer(partition: AssignedPartition): void {
    if (partition.buffered === 0) return;
    this.buffer.dropPartition(partition.topicPartition);
    partition.buffered = 0;
  }

  // ---------------------------------------------------------------- metadata

  private onMetadata(): void {
    // An offline partition: ask again after the backoff until it has a leader.
    for (const topicPartition of this.partitions.keys()) {
      if (this.leaderOf(topicPartition) === null) {
        this.metadata.refreshLater();
        break;
      }
    }
    for (const partition of this.partitions.values()) this.maybeFetch(partition);
  }

  private linkTo(broker: string): ConsumerLink {
    let link = this.links.get(broker);
    if (link === undefined) {
      link = new ConsumerLink({
        world: this.world,
        node: this.node,
        peer: this.world.node(broker),
        port: DATA_PORT,
        trafficClass: DATA_CLASS,
        owner: this,
        requestTimeoutNs: this.config.requestTimeoutNs,
        reconnectBackoffNs: this.config.reconnectBackoffNs,
        reconnectBackoffMaxNs: this.config.reconnectBackoffMaxNs,
      });
      this.links.set(broker, link);
    }
    return link;
  }
}
