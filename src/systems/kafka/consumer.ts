/**
 * The Kafka consumer client in a consumer group, with the application that
 * processes what it reads: KafkaConsumer's membership (KIP-848 heartbeats),
 * committed offsets, fetcher and poll loop, plus a model of the application
 * so that the history shows what was *delivered* and what was *applied*.
 *
 * The application polls one record batch at a time (at most
 * max.poll.records records of it), takes mqsim.processing.ms to process it,
 * and then applies its side effect: an "effect" event in the history, or —
 * with mqsim.idempotent — an effect for only those message ids the
 * IdempotentConsumer has not applied before. When it commits decides what a
 * crash costs (see CommitPolicy): "before-process" loses the batch being
 * processed, "after-process" and "auto" deliver again what was processed
 * after the last commit. A commit the coordinator refuses (the partition
 * has moved to another member, or this one was fenced) makes the consumer
 * drop the partition at once and heartbeat for its new assignment, which
 * shortens the window in which two members consume one partition (see
 * group-coordinator.ts).
 *
 * The owner builds a KafkaConsumer from its NodeSoftware.start and calls
 * start(): its timers and connections belong to that process incarnation, so
 * a client crash kills it mid-batch. A restarted client builds a fresh
 * consumer, which joins with a new member id (a Java consumer's member id is
 * generated at startup); the old member holds its partitions until its
 * session times out. The history and the IdempotentConsumer live outside.
 */
import { assert } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { resolveConsumerConfig, type KafkaConsumerConfig, type ResolvedConsumerConfig } from "./consumer-config.js";
import type { PolledRecords } from "./consumer-fetch-buffer.js";
import { ConsumerFetcher, type FetcherOwner } from "./consumer-fetcher.js";
import { ConsumerMembership, type CommitToken, type MembershipOwner } from "./consumer-membership.js";
import type { KafkaError } from "./protocol.js";

export interface KafkaConsumerOptions {
  world: World;
  /** The client's node: the consumer runs in its current process incarnation. */
  node: WorldNode;
  /** Broker node names to ask for metadata (bootstrap.servers). */
  bootstrap: readonly string[];
  /** Node name of the group coordinator (COORDINATOR_NODE in a built cluster). */
  coordinator: string;
  /** group.id */
  group: string;
  /** Subscribed topic names; their partitions come from the coordinator's assignment. */
  topics: readonly string[];
  history: History;
  /** The name this client has in the history. */
  clientName: string;
  config: Partial<KafkaConsumerConfig>;
  /**
   * The application's durable dedup store, required with mqsim.idempotent.
   * Share one among all consumers of the group and keep it across restarts:
   * it stands for the downstream database, not for consumer memory.
   */
  idempotentConsumer?: IdempotentConsumer;
  /**
   * How long the application takes with a poll's records, from now (default:
   * mqsim.processing.ms). A scenario's processing-time distribution and a
   * downstream capacity limit plug in here.
   */
  processingTime?: ProcessingTime;
}

export type ProcessingTime = (records: PolledRecords, nowNs: number) => number;

/** The records of the application's last poll, until it has finished with them. */
interface InHand {
  readonly records: PolledRecords;
  /** The commitSync awaited before processing ("before-process"); null once processing. */
  commit: CommitToken | null;
}

export class KafkaConsumer implements MembershipOwner, FetcherOwner {
  readonly config: ResolvedConsumerConfig;
  readonly clientName: string;
  readonly group: string;
  readonly memberId: string;
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly incarnation: number;
  private readonly history: History;
  private readonly idempotent: IdempotentConsumer | null;
  private readonly processingTime: ProcessingTime | null;
  private readonly membership: ConsumerMembership;
  private readonly fetcher: ConsumerFetcher;
  private inHand: InHand | null = null;
  /** Last offset committed (or being committed) per partition, so auto-commit sends only changes. */
  private readonly autoCommitted = new Map<string, number>();
  /** Per partition, the position after the records the application has finished: what a poll-loop auto-commit commits. */
  private readonly consumed = new Map<string, number>();
  /** The auto-commit interval passed while a batch was being processed: the next poll commits. */
  private isAutoCommitDue = false;
  private isStarted = false;
  private isClosed = false;
  private readonly onProcessedBound = (hand: InHand): void => this.onProcessed(hand);
  private readonly onAutoCommitBound = (): void => this.onAutoCommit();

  constructor(options: KafkaConsumerOptions) {
    this.config = resolveConsumerConfig(options.config);
    this.world = options.world;
    this.node = options.node;
    assert(this.node.isProcessAlive, `consumer ${options.clientName}: built on ${this.node.name} while it is ${this.node.state}`);
    this.incarnation = this.node.incarnation;
    this.clientName = options.clientName;
    this.group = options.group;
    this.history = options.history;
    if (this.config.idempotent && options.idempotentConsumer === undefined) {
      throw new Error(`consumer ${options.clientName}: mqsim.idempotent=true needs an idempotentConsumer store`);
    }
    this.idempotent = this.config.idempotent ? options.idempotentConsumer! : null;
    this.processingTime = options.processingTime ?? null;
    if (options.topics.length === 0) throw new Error(`consumer ${options.clientName}: subscribes to no topic`);
    // A Java consumer generates its member id at startup: a restarted process is a new member.
    this.memberId = `${options.clientName}#${this.incarnation}`;
    this.membership = new ConsumerMembership({
      world: options.world,
      node: this.node,
      coordinator: options.world.node(options.coordinator),
      group: options.group,
      topics: options.topics,
      memberId: this.memberId,
      config: this.config,
      owner: this,
    });
    this.fetcher = new ConsumerFetcher({
      world: options.world,
      node: this.node,
      bootstrap: options.bootstrap.map((name) => options.world.node(name)),
      config: this.config,
      history: this.history,
      clientName: this.clientName,
      owner: this,
    });
  }

  /** Joins the group and starts fetching; call once, from the owner's NodeSoftware.start. */
  start(): void {
    this.assertAlive();
    assert(!this.isStarted, `consumer ${this.clientName}: started twice`);
    this.isStarted = true;
    this.membership.start();
    this.fetcher.start();
    if (this.config.autoCommit) this.node.after(this.config.autoCommitIntervalNs, this.onAutoCommitBound);
  }

  /**
   * KafkaConsumer.close(): stops fetching and processing (a batch being
   * processed is abandoned), commits positions if auto-commit is on, and
   * leaves the group so its partitions move at once.
   */
  close(): void {
    this.assertAlive();
    if (this.isClosed) return;
    if (this.config.autoCommit) this.autoCommitNow();
    this.isClosed = true;
    this.inHand = null;
    this.fetcher.close();
    this.membership.leave();
  }

  /** The partitions this consumer is assigned now, in assignment order. */
  assignment(): string[] {
    return this.fetcher.assignment();
  }

  /** Per assigned partition with a known position: the offset of the next record the application gets. */
  positions(): Map<string, number> {
    return this.fetcher.positions();
  }

  /** True while the application holds records it has not finished with. */
  get isBusy(): boolean {
    return this.inHand !== null;
  }

  /**
   * For a run's drain phase: true when the application is idle and, for every
   * partition in `endOffsets` that this consumer is assigned, it has been
   * handed everything below the end offset. Partitions assigned elsewhere are
   * not this consumer's business: the caller checks that every partition has
   * a live owner (assignment(), or the coordinator's members()).
   */
  isCaughtUp(endOffsets: ReadonlyMap<string, number>): boolean {
    if (this.inHand !== null) return false;
    for (const [topicPartition, end] of endOffsets) {
      if (!this.fetcher.isAssigned(topicPartition)) continue;
      if (this.fetcher.position(topicPartition) < end) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- MembershipOwner

  onAssignment(assignment: readonly string[]): void {
    if (this.isClosed) return;
    const revoked = this.fetcher.assignment().filter((topicPartition) => !assignment.includes(topicPartition));
    // Kafka's consumer commits its positions before giving partitions up when auto-commit is on.
    if (revoked.length > 0 && this.config.autoCommit) this.autoCommitNow();
    const added = this.fetcher.assign(assignment);
    for (const topicPartition of [...this.autoCommitted.keys()]) if (!this.fetcher.isAssigned(topicPartition)) this.autoCommitted.delete(topicPartition);
    for (const topicPartition of [...this.consumed.keys()]) if (!this.fetcher.isAssigned(topicPartition) && !this.isInHand(topicPartition)) this.consumed.delete(topicPartition);
    for (const topicPartition of added) this.membership.fetchOffset(topicPartition);
    // KIP-848: acknowledge the revocation at once, unless a revoked partition's batch is still
    // being processed: that batch is finished (and committed) first, then acknowledged.
    if (revoked.length > 0 && !this.isRevokedInHand()) this.membership.heartbeatNow();
  }

  ownedPartitions(): string[] {
    const owned = this.fetcher.assignment();
    if (this.isRevokedInHand()) owned.push(this.inHand!.records.topicPartition);
    return owned;
  }

  onCommittedOffset(topicPartition: string, offset: number): void {
    if (this.isClosed) return;
    if (offset >= 0 && this.fetcher.position(topicPartition) < 0) this.autoCommitted.set(topicPartition, offset);
    this.fetcher.seekCommitted(topicPartition, offset);
  }

  onCommitResult(commit: CommitToken, error: KafkaError | "NETWORK_EXCEPTION"): void {
    if (error === "NONE") {
      this.history.record({ type: "commit", timeNs: this.node.now, client: this.clientName, group: this.group, stream: commit.topicPartition, position: commit.offset });
    } else {
      this.world.kernel.marks.hit("kafka.consumer.commit-failed");
      if (this.autoCommitted.get(commit.topicPartition) === commit.offset) this.autoCommitted.delete(commit.topicPartition);
      if (error !== "NETWORK_EXCEPTION" && !this.isClosed) {
        // The coordinator says the partition is no longer ours (or we are no longer a member):
        // stop consuming it now rather than at the next heartbeat, and ask for the assignment.
        this.fetcher.release(commit.topicPartition);
        this.membership.heartbeatNow();
      }
    }
    const hand = this.inHand;
    if (this.isClosed || hand === null || hand.commit !== commit) return;
    if (error === "NONE") return this.startProcessing(hand);
    // commitSync failed: the batch is not processed; its partition's new owner starts at the old commit.
    this.inHand = null;
    this.pollNext();
  }

  // ---------------------------------------------------------------- FetcherOwner

  onFetchable(): void {
    this.pollNext();
  }

  // ---------------------------------------------------------------- the application

  private pollNext(): void {
    if (this.isClosed || this.inHand !== null) return;
    // Java's poll() commits what earlier polls returned once the interval has passed (maybeAutoCommitOffsetsAsync).
    if (this.isAutoCommitDue) {
      this.isAutoCommitDue = false;
      this.commitConsumed();
    }
    const records = this.fetcher.poll(this.config.maxPollRecords);
    if (records === null) return;
    this.history.record({
      type: "deliver",
      timeNs: this.node.now,
      client: this.clientName,
      group: this.group,
      stream: records.topicPartition,
      position: records.position,
      idFirst: records.idFirst,
      count: records.count,
    });
    const hand: InHand = { records, commit: null };
    this.inHand = hand;
    if (this.config.commit === "before-process") {
      hand.commit = this.membership.commit(records.topicPartition, records.position + records.count, true);
      return;
    }
    this.startProcessing(hand);
  }

  private startProcessing(hand: InHand): void {
    hand.commit = null;
    const delayNs = this.processingTime === null ? this.config.processingNs : this.processingTime(hand.records, this.node.now);
    assert(Number.isSafeInteger(delayNs) && delayNs >= 0, `consumer ${this.clientName}: processing time ${delayNs}`);
    this.node.after(delayNs, this.onProcessedBound, hand);
  }

  private onProcessed(hand: InHand): void {
    if (this.inHand !== hand) return;
    this.inHand = null;
    const records = hand.records;
    const wasRevoked = !this.fetcher.isAssigned(records.topicPartition);
    this.applyEffect(records);
    this.consumed.set(records.topicPartition, records.position + records.count);
    // A poll-loop consumer commits what it finished of a partition it is giving up before it lets go.
    if (wasRevoked && this.config.autoCommit && this.config.commit !== "auto-async") {
      this.commitConsumed();
      this.consumed.delete(records.topicPartition);
    }
    // A revoked partition is still ours until we acknowledge, so its last batch is committed too.
    if (this.config.commit === "after-process") this.membership.commit(records.topicPartition, records.position + records.count, false);
    if (wasRevoked) this.membership.heartbeatNow();
    this.pollNext();
  }

  private applyEffect(records: PolledRecords): void {
    const now = this.node.now;
    if (this.idempotent === null) {
      this.history.record({ type: "effect", timeNs: now, client: this.clientName, group: this.group, idFirst: records.idFirst, count: records.count });
      return;
    }
    const fresh = this.idempotent.apply(records.idFirst, records.count);
    if (fresh.length === 0) this.world.kernel.marks.hit("kafka.consumer.repeat-not-applied");
    for (const range of fresh) this.history.record({ type: "effect", timeNs: now, client: this.clientName, group: this.group, idFirst: range.idFirst, count: range.count });
  }

  private onAutoCommit(): void {
    if (this.isClosed) return;
    // Inside poll() (nothing in hand) the commit goes now; while a batch is processed, at the next poll.
    if (this.config.commit === "auto-async" || this.inHand === null) this.autoCommitNow();
    else this.isAutoCommitDue = true;
    this.node.after(this.config.autoCommitIntervalNs, this.onAutoCommitBound);
  }

  /** The auto-commit of this consumer's kind: handed-over positions ("auto-async"), or finished ones (the poll loop). */
  private autoCommitNow(): void {
    if (this.config.commit === "auto-async") this.commitHandedPositions();
    else this.commitConsumed();
  }

  /** "auto-async": the position of what has been handed to the application, processed or not. */
  private commitHandedPositions(): void {
    for (const [topicPartition, position] of this.fetcher.positions()) this.autoCommit(topicPartition, position);
  }

  /**
   * The poll loop's auto-commit (Java's allConsumed()): for each partition,
   * the position after what earlier polls returned — in a synchronous loop,
   * what the application has finished — or where it starts if nothing was
   * returned yet.
   */
  private commitConsumed(): void {
    const partitions = this.fetcher.assignment();
    if (this.isRevokedInHand()) partitions.push(this.inHand!.records.topicPartition);
    for (const topicPartition of partitions) this.autoCommit(topicPartition, this.consumedPosition(topicPartition));
  }

  private consumedPosition(topicPartition: string): number {
    const finished = this.consumed.get(topicPartition);
    if (finished !== undefined) return finished;
    if (this.isInHand(topicPartition)) return this.inHand!.records.position;
    return this.fetcher.position(topicPartition);
  }

  private autoCommit(topicPartition: string, position: number): void {
    if (position < 0 || this.autoCommitted.get(topicPartition) === position) return;
    this.autoCommitted.set(topicPartition, position);
    this.membership.commit(topicPartition, position, false);
  }

  private isInHand(topicPartition: string): boolean {
    return this.inHand !== null && this.inHand.records.topicPartition === topicPartition;
  }

  /** True while the application processes a batch of a partition the coordinator has revoked. */
  private isRevokedInHand(): boolean {
    return this.inHand !== null && !this.fetcher.isAssigned(this.inHand.records.topicPartition);
  }

  private assertAlive(): void {
    assert(this.node.isProcessAlive && this.node.incarnation === this.incarnation, `consumer ${this.clientName}: used after its process (incarnation ${this.incarnation}) died`);
  }
}
