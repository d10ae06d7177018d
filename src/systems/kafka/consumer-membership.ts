/**
 * The consumer's side of the group protocol (KIP-848's membership and commit
 * managers in the Java client): heartbeats the coordinator every
 * heartbeat.interval.ms, takes the assignment each answer carries, rejoins
 * with epoch 0 when the coordinator no longer knows it, and carries
 * OffsetFetch and OffsetCommit.
 *
 * Requests wait for the coordinator connection. A commit is asynchronous
 * (commitAsync: if its connection breaks it is not retried, the next commit
 * supersedes it) unless `isSync` (commitSync: retried across reconnects until
 * the coordinator answers). OffsetFetches are retried like commitSync. While the coordinator is unreachable the member keeps its
 * assignment and goes on consuming, as a KIP-848 member does.
 */
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { ResolvedConsumerConfig } from "./consumer-config.js";
import { ConsumerLink, type ConsumerLinkOwner } from "./consumer-link.js";
import { COORDINATOR_PORT, DATA_CLASS, type KafkaError, type KafkaMessage, type OffsetCommitRequest, type OffsetFetchRequest } from "./protocol.js";

export interface MembershipOwner {
  /** The member's assignment now (topic-partition names); [] when it lost everything. */
  onAssignment(assignment: readonly string[]): void;
  /** The group's committed offset for a partition (-1: none). */
  onCommittedOffset(topicPartition: string, offset: number): void;
  /** What the member owns now, including a revoked partition it has not finished with. */
  ownedPartitions(): string[];
  /** The coordinator's answer to a commit ("NONE": stored); async commits lost in transit are never answered. */
  onCommitResult(commit: CommitToken, error: KafkaError | "NETWORK_EXCEPTION"): void;
}

/** One commit, as handed back to the owner with its result. */
export interface CommitToken {
  readonly topicPartition: string;
  readonly offset: number;
  readonly isSync: boolean;
}

type Pending =
  | { kind: "heartbeat" }
  | { kind: "offset-fetch"; request: OffsetFetchRequest }
  | { kind: "offset-commit"; request: OffsetCommitRequest; token: CommitToken };

export class ConsumerMembership implements ConsumerLinkOwner {
  readonly memberId: string;
  private readonly group: string;
  private readonly topics: readonly string[];
  private readonly config: ResolvedConsumerConfig;
  private readonly node: WorldNode;
  private readonly owner: MembershipOwner;
  private readonly link: ConsumerLink;
  private memberEpochNow = 0;
  private isHeartbeatInFlight = false;
  private isLeaving = false;
  private correlationIdNext = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests to (re)send once the link is open, in order. */
  private queued: Pending[] = [];
  private readonly onHeartbeatTimerBound = (): void => this.onHeartbeatTimer();

  constructor(options: {
    world: World;
    node: WorldNode;
    coordinator: WorldNode;
    group: string;
    topics: readonly string[];
    memberId: string;
    config: ResolvedConsumerConfig;
    owner: MembershipOwner;
  }) {
    this.memberId = options.memberId;
    this.group = options.group;
    this.topics = [...options.topics];
    this.config = options.config;
    this.node = options.node;
    this.owner = options.owner;
    this.link = new ConsumerLink({
      world: options.world,
      node: options.node,
      peer: options.coordinator,
      port: COORDINATOR_PORT,
      trafficClass: DATA_CLASS,
      owner: this,
      requestTimeoutNs: options.config.requestTimeoutNs,
      reconnectBackoffNs: options.config.reconnectBackoffNs,
      reconnectBackoffMaxNs: options.config.reconnectBackoffMaxNs,
    });
  }

  get memberEpoch(): number {
    return this.memberEpochNow;
  }

  /** Joins the group (epoch 0) and starts the heartbeat timer. */
  start(): void {
    this.link.ensureConnecting();
    this.node.after(this.config.heartbeatIntervalNs, this.onHeartbeatTimerBound);
  }

  fetchOffset(topicPartition: string): void {
    this.submit({ kind: "offset-fetch", request: { kind: "offset-fetch", correlationId: 0, group: this.group, topicPartition } });
  }

  commit(topicPartition: string, offset: number, isSync: boolean): CommitToken {
    const token: CommitToken = { topicPartition, offset, isSync };
    const request: OffsetCommitRequest = { kind: "offset-commit", correlationId: 0, group: this.group, memberId: this.memberId, memberEpoch: this.memberEpochNow, topicPartition, offset };
    this.submit({ kind: "offset-commit", request, token });
    return token;
  }

  /** Heartbeats now (unless one is in flight): to learn the assignment sooner, or to acknowledge a revocation. */
  heartbeatNow(): void {
    if (this.link.isOpen) this.sendHeartbeat();
  }

  /** KIP-848 leave: a heartbeat with epoch -1; the coordinator hands the partitions to the others at once. */
  leave(): void {
    this.isLeaving = true;
    this.memberEpochNow = -1;
    if (this.link.isOpen) this.link.request(this.heartbeat());
  }

  // ---------------------------------------------------------------- ConsumerLinkOwner

  onLinkOpen(): void {
    const queued = this.queued;
    this.queued = [];
    for (const request of queued) this.send(request);
    this.sendHeartbeat();
  }

  onLinkResponse(_link: ConsumerLink, message: KafkaMessage & { correlationId: number }): void {
    const pending = this.pending.get(message.correlationId);
    if (pending === undefined) return;
    this.pending.delete(message.correlationId);
    if (message.kind === "consumer-group-heartbeat-response") return this.onHeartbeatResponse(message.error, message.memberEpoch, message.assignment);
    if (message.kind === "offset-fetch-response") return this.owner.onCommittedOffset(message.topicPartition, message.offset);
    if (message.kind === "offset-commit-response" && pending.kind === "offset-commit") return this.owner.onCommitResult(pending.token, message.error);
  }

  onLinkLost(_link: ConsumerLink, lost: readonly number[]): void {
    for (const correlationId of lost) {
      const pending = this.pending.get(correlationId);
      this.pending.delete(correlationId);
      if (pending === undefined) continue;
      if (pending.kind === "heartbeat") this.isHeartbeatInFlight = false;
      else if (pending.kind === "offset-fetch" || pending.token.isSync) this.queued.push(pending);
      else this.owner.onCommitResult(pending.token, "NETWORK_EXCEPTION");
    }
    if (!this.isLeaving) this.link.ensureConnecting();
  }

  // ---------------------------------------------------------------- internals

  private onHeartbeatTimer(): void {
    if (this.isLeaving) return;
    if (this.link.isOpen) this.sendHeartbeat();
    else this.link.ensureConnecting();
    this.node.after(this.config.heartbeatIntervalNs, this.onHeartbeatTimerBound);
  }

  private heartbeat(): KafkaMessage & { correlationId: number } {
    return {
      kind: "consumer-group-heartbeat",
      correlationId: this.correlationIdNext++,
      group: this.group,
      memberId: this.memberId,
      memberEpoch: this.memberEpochNow,
      topics: [...this.topics],
      ownedTopicPartitions: this.memberEpochNow <= 0 ? [] : this.owner.ownedPartitions(),
      sessionTimeoutMs: this.config.sessionTimeoutMs,
    };
  }

  private sendHeartbeat(): void {
    if (this.isHeartbeatInFlight || this.isLeaving) return;
    const message = this.heartbeat();
    if (!this.link.request(message)) return;
    this.isHeartbeatInFlight = true;
    this.pending.set(message.correlationId, { kind: "heartbeat" });
  }

  private onHeartbeatResponse(error: KafkaError, memberEpoch: number, assignment: readonly string[]): void {
    this.isHeartbeatInFlight = false;
    if (this.isLeaving) return;
    if (error === "UNKNOWN_MEMBER_ID" || error === "FENCED_MEMBER_EPOCH") {
      // KIP-848: a fenced member gives up all its partitions and rejoins with epoch 0, at once.
      this.memberEpochNow = 0;
      this.owner.onAssignment([]);
      this.sendHeartbeat();
      return;
    }
    this.memberEpochNow = memberEpoch;
    this.owner.onAssignment(assignment);
  }

  private submit(request: Pending): void {
    if (this.link.isOpen) return this.send(request);
    if (request.kind === "offset-commit" && !request.token.isSync) {
      // While disconnected, a newer async commit of a partition supersedes a queued one (it is never answered).
      const topicPartition = request.token.topicPartition;
      this.queued = this.queued.filter((queued) => !(queued.kind === "offset-commit" && !queued.token.isSync && queued.token.topicPartition === topicPartition));
    }
    this.queued.push(request);
    this.link.ensureConnecting();
  }

  private send(request: Pending): void {
    if (request.kind === "heartbeat") return;
    // A resent request gets a new correlation id; a commit carries the member epoch of now.
    const message = request.kind === "offset-fetch" ? { ...request.request, correlationId: this.correlationIdNext++ } : { ...request.request, correlationId: this.correlationIdNext++, memberEpoch: this.memberEpochNow };
    if (!this.link.request(message)) {
      this.queued.push(request);
      return;
    }
    this.pending.set(message.correlationId, request);
  }
}
