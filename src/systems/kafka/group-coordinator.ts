/**
 * The consumer group coordinator, with KIP-848's consumer rebalance protocol:
 * members heartbeat (ConsumerGroupHeartbeat), the coordinator assigns
 * partitions itself and answers each heartbeat with the member's assignment
 * and epoch, and it stores the group's committed offsets (OffsetCommit,
 * OffsetFetch).
 *
 * Simplifications, each named where it matters:
 * - In Kafka the coordinator is the broker leading the group's
 *   __consumer_offsets partition, and groups move when it fails. mqsim runs
 *   one coordinator on the controller node and treats its state (members,
 *   assignments, committed offsets) as a replicated service that survives
 *   every fault: while the node is down nobody can heartbeat or commit, and
 *   at restart every member gets a fresh session, as Kafka reschedules
 *   session timeouts when a new coordinator loads a group.
 * - A partition moves in KIP-848's two steps: the coordinator computes a
 *   new target assignment, answers the old owner's next heartbeat without
 *   the partition (revocation), and hands it to the new owner only once a
 *   heartbeat of the old owner no longer lists it among its owned
 *   partitions, or its session expired. So two live members never own one
 *   partition, and only the owner may commit its offset. A zombie (a member
 *   cut off from the coordinator that has not noticed) can still fetch and
 *   process after its session expired: the checkers count those repeats.
 *   Member epochs are simplified to the group epoch.
 * - Assignment is server-side with the range assignor (Kafka's "range",
 *   RangeAssignor's rule): per topic, partitions in index order are split
 *   into contiguous ranges over the subscribed members sorted by member id,
 *   the first (partitions mod members) members getting one more.
 * - session.timeout.ms comes from each member's heartbeat (the classic
 *   JoinGroup way), not from group.consumer.session.timeout.ms on the broker.
 */
import { assert } from "../../kernel/index.js";
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { msToNs } from "./config.js";
import {
  COORDINATOR_PORT,
  topicPartition,
  wireBytesOf,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type KafkaMessage,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from "./protocol.js";

export interface CoordinatorTopic {
  name: string;
  partitions: number;
}

export interface GroupMemberView {
  memberId: string;
  memberEpoch: number;
  topics: readonly string[];
  assignment: readonly string[];
}

interface Member {
  readonly memberId: string;
  memberEpoch: number;
  topics: string[];
  sessionTimeoutMs: number;
  /** What the assignor wants this member to own. */
  target: string[];
  /** What the coordinator last told it to own: target minus partitions still owned by others. */
  assignment: string[];
  sessionTimer: EventHandle;
}

interface Group {
  readonly name: string;
  /** Bumped at every membership or subscription change (KIP-848's group epoch). */
  epoch: number;
  /** Members in join order; the assignor sorts them by id. */
  readonly members: Map<string, Member>;
  /** Which member owns each topic-partition now (it keeps a revoked one until it acknowledges). */
  readonly owners: Map<string, string>;
  /** Committed offsets: the next offset to consume, per topic-partition. */
  readonly offsets: Map<string, number>;
}

export class GroupCoordinator implements NodeSoftware {
  private readonly world: World;
  private readonly topics: readonly CoordinatorTopic[];
  private node: WorldNode | null = null;
  /** Groups in creation order. */
  private readonly groups = new Map<string, Group>();
  private readonly handler: ConnectionHandler;
  private readonly onSessionExpiredBound = (key: { group: string; memberId: string }): void => this.onSessionExpired(key.group, key.memberId);

  constructor(options: { world: World; topics: readonly CoordinatorTopic[] }) {
    this.world = options.world;
    this.topics = options.topics.map((topic) => ({ ...topic }));
    this.handler = {
      onData: (endpoint, payload) => this.onRequest(endpoint, payload as KafkaMessage),
      onClose: () => undefined,
    };
  }

  start(node: WorldNode): void {
    this.node = node;
    this.world.net.listen(node, COORDINATOR_PORT, { accept: () => this.handler });
    // The old incarnation's session timers died with it: every member starts a fresh session.
    for (const group of this.groups.values()) {
      for (const member of group.members.values()) this.armSession(group, member);
    }
  }

  // ------------------------------------------------------------ queries (tests, runs, checkers)

  /** The group's committed offset for a topic-partition, or -1. */
  committed(group: string, topicPartitionName: string): number {
    return this.groups.get(group)?.offsets.get(topicPartitionName) ?? -1;
  }

  /** The group epoch, or 0 for a group never seen. */
  groupEpoch(group: string): number {
    return this.groups.get(group)?.epoch ?? 0;
  }

  /** Current members sorted by member id, with their assignments. */
  members(group: string): GroupMemberView[] {
    const found = this.groups.get(group);
    if (found === undefined) return [];
    return sortedMembers(found).map((member) => ({ memberId: member.memberId, memberEpoch: member.memberEpoch, topics: [...member.topics], assignment: [...member.assignment] }));
  }

  /** The member owning a topic-partition now, or null. */
  owner(group: string, topicPartitionName: string): string | null {
    return this.groups.get(group)?.owners.get(topicPartitionName) ?? null;
  }

  // ------------------------------------------------------------ requests

  private onRequest(endpoint: Endpoint, message: KafkaMessage): void {
    switch (message.kind) {
      case "consumer-group-heartbeat":
        return this.reply(endpoint, this.onHeartbeat(message));
      case "offset-commit":
        return this.reply(endpoint, this.onOffsetCommit(message));
      case "offset-fetch":
        return this.reply(endpoint, {
          kind: "offset-fetch-response",
          correlationId: message.correlationId,
          topicPartition: message.topicPartition,
          offset: this.committed(message.group, message.topicPartition),
        });
      default:
        assert(false, `group coordinator got unexpected ${message.kind}`);
    }
  }

  private onHeartbeat(request: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
    const group = this.groupNamed(request.group);
    const existing = group.members.get(request.memberId);
    const answer = (error: ConsumerGroupHeartbeatResponse["error"], member: Member | undefined): ConsumerGroupHeartbeatResponse => ({
      kind: "consumer-group-heartbeat-response",
      correlationId: request.correlationId,
      error,
      memberId: request.memberId,
      memberEpoch: member?.memberEpoch ?? -1,
      assignment: member === undefined ? [] : [...member.assignment],
    });
    if (request.memberEpoch === -1) {
      // KIP-848: a leaving member is removed at once; its partitions go to the others.
      if (existing !== undefined) this.removeMember(group, existing, "kafka.group.member-left");
      return answer("NONE", undefined);
    }
    if (request.memberEpoch === 0) {
      // A join, or a rejoin after the member lost its state (fenced, or told it is unknown): it owns nothing.
      if (existing !== undefined) {
        this.node!.cancel(existing.sessionTimer);
        releaseAll(group, existing.memberId);
      }
      const member: Member = { memberId: request.memberId, memberEpoch: 0, topics: [...request.topics], sessionTimeoutMs: request.sessionTimeoutMs, target: [], assignment: [], sessionTimer: NO_EVENT };
      group.members.set(member.memberId, member);
      this.world.kernel.marks.hit("kafka.group.member-joined");
      this.rebalance(group);
      reconcile(group, member, []);
      this.armSession(group, member);
      return answer("NONE", member);
    }
    if (existing === undefined) {
      this.world.kernel.marks.hit("kafka.group.unknown-member");
      return answer("UNKNOWN_MEMBER_ID", undefined);
    }
    if (request.memberEpoch > existing.memberEpoch) return answer("FENCED_MEMBER_EPOCH", undefined);
    // An older epoch is a member whose last answer was lost in transit: it gets the current state again.
    existing.sessionTimeoutMs = request.sessionTimeoutMs;
    if (!sameTopics(existing.topics, request.topics)) {
      existing.topics = [...request.topics];
      this.rebalance(group);
    }
    reconcile(group, existing, request.ownedTopicPartitions);
    this.armSession(group, existing);
    return answer("NONE", existing);
  }

  /**
   * Stores a committed offset. Only the partition's current owner may commit:
   * KIP-848 fences a member's commits by its member epoch so that one which
   * lost a partition cannot move the group's offset; with the one-step
   * reassignment above, ownership is the same test.
   */
  private onOffsetCommit(request: OffsetCommitRequest): OffsetCommitResponse {
    const group = this.groups.get(request.group);
    const answer = (error: OffsetCommitResponse["error"]): OffsetCommitResponse => ({ kind: "offset-commit-response", correlationId: request.correlationId, error });
    if (group === undefined || !group.members.has(request.memberId)) {
      this.world.kernel.marks.hit("kafka.group.commit-rejected");
      return answer("UNKNOWN_MEMBER_ID");
    }
    if (group.owners.get(request.topicPartition) !== request.memberId) {
      this.world.kernel.marks.hit("kafka.group.commit-rejected");
      return answer("STALE_MEMBER_EPOCH");
    }
    group.offsets.set(request.topicPartition, request.offset);
    this.world.kernel.trace.record("kafka.offset-commit", `${request.group}:${request.topicPartition}`, request.offset);
    return answer("NONE");
  }

  // ------------------------------------------------------------ membership

  private groupNamed(name: string): Group {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, epoch: 0, members: new Map(), owners: new Map(), offsets: new Map() };
      this.groups.set(name, group);
    }
    return group;
  }

  /** (Re)starts a member's session: it is fenced after session.timeout.ms without a heartbeat. */
  private armSession(group: Group, member: Member): void {
    const node = this.node!;
    node.cancel(member.sessionTimer);
    member.sessionTimer = node.after(msToNs(member.sessionTimeoutMs), this.onSessionExpiredBound, { group: group.name, memberId: member.memberId });
  }

  private onSessionExpired(groupName: string, memberId: string): void {
    const group = this.groups.get(groupName);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return;
    this.removeMember(group, member, "kafka.group.member-expired");
  }

  private removeMember(group: Group, member: Member, mark: string): void {
    this.node!.cancel(member.sessionTimer);
    group.members.delete(member.memberId);
    releaseAll(group, member.memberId);
    this.world.kernel.marks.hit(mark);
    this.world.kernel.trace.record(mark, `${group.name}:${member.memberId}`, group.epoch);
    this.rebalance(group);
  }

  /** A new group epoch and a new target assignment; partitions move as their owners let go (see the header). */
  private rebalance(group: Group): void {
    group.epoch++;
    const members = sortedMembers(group);
    for (const member of members) member.target = [];
    for (const topic of this.topics) {
      const subscribers = members.filter((member) => member.topics.includes(topic.name));
      if (subscribers.length === 0) continue;
      const base = Math.floor(topic.partitions / subscribers.length);
      const extra = topic.partitions % subscribers.length;
      let partition = 0;
      for (let k = 0; k < subscribers.length; k++) {
        const member = subscribers[k]!;
        const take = base + (k < extra ? 1 : 0);
        for (let n = 0; n < take; n++, partition++) member.target.push(topicPartition(topic.name, partition));
      }
    }
    for (const member of members) member.memberEpoch = group.epoch;
    this.world.kernel.marks.hit("kafka.group.rebalance");
    this.world.kernel.trace.record("kafka.group-epoch", group.name, group.epoch, members.length);
    const owners = members.map((member) => `${member.memberId} ${member.target.length === 0 ? "none" : member.target.join(",")}`);
    this.world.clusterLog.record("group", group.name, this.node!.name, group.epoch, `rebalance: ${members.length} members${owners.length === 0 ? "" : ` (${owners.join("; ")})`}`);
  }

  private reply(endpoint: Endpoint, message: KafkaMessage): void {
    if (endpoint.isOpen) endpoint.send(message, wireBytesOf(message));
  }
}

/**
 * One step of KIP-848's reconciliation for a member that just heartbeated
 * owning `owned`: partitions it has let go of (revoked by its target and no
 * longer listed) are released; it is then assigned every partition of its
 * target that nobody else owns.
 */
function reconcile(group: Group, member: Member, owned: readonly string[]): void {
  for (const [partition, owner] of [...group.owners]) {
    if (owner === member.memberId && !member.target.includes(partition) && !owned.includes(partition)) group.owners.delete(partition);
  }
  member.assignment = [];
  for (const partition of member.target) {
    const owner = group.owners.get(partition);
    if (owner !== undefined && owner !== member.memberId) continue;
    group.owners.set(partition, member.memberId);
    member.assignment.push(partition);
  }
}

function releaseAll(group: Group, memberId: string): void {
  for (const [partition, owner] of [...group.owners]) if (owner === memberId) group.owners.delete(partition);
}

function sortedMembers(group: Group): Member[] {
  return [...group.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((topic, k) => topic === b[k]);
}
