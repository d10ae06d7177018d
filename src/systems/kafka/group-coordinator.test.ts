import { beforeEach, describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { buildKafkaCluster, COORDINATOR_NODE, type KafkaCluster } from "./cluster.js";
import { PeerLink } from "./peer-link.js";
import { COORDINATOR_PORT, DATA_CLASS, type ConsumerGroupHeartbeatResponse, type KafkaMessage, type OffsetCommitResponse } from "./protocol.js";

const SECOND = 1_000_000_000;

function cluster(): { kernel: Kernel; c: KafkaCluster } {
  const kernel = new Kernel({ seed: 7 });
  const c = buildKafkaCluster(kernel, {
    brokers: 3,
    topics: [
      { name: "t", partitions: 5, replicationFactor: 3 },
      { name: "u", partitions: 2, replicationFactor: 1 },
    ],
    clients: ["client"],
    network: { latency: { kind: "constant", value: 200_000 } },
  });
  c.world.boot();
  kernel.scheduler.run({ untilNs: SECOND });
  return { kernel, c };
}

/** A bare client of the coordinator: sends what it is told, keeps every answer. */
function rawClient(c: KafkaCluster, kernel: Kernel): { send(message: KafkaMessage): KafkaMessage } {
  const answers: KafkaMessage[] = [];
  const link = new PeerLink(c.world, c.world.node("client"), c.world.node(COORDINATOR_NODE), COORDINATOR_PORT, DATA_CLASS, 100_000_000, {
    onOpen: () => undefined,
    onMessage: (message) => void answers.push(message),
    onDown: () => undefined,
  });
  link.connect();
  kernel.scheduler.run({ until: () => link.isOpen });
  return {
    send(message) {
      const before = answers.length;
      expect(link.send(message)).toBe(true);
      kernel.scheduler.run({ until: () => answers.length > before });
      return answers[before]!;
    },
  };
}

let correlationId = 1;
/** What each member was last told it owns: a well-behaved member reports it at its next heartbeat. */
const owns = new Map<string, string[]>();

function heartbeat(client: ReturnType<typeof rawClient>, memberId: string, memberEpoch: number, topics = ["t"], sessionTimeoutMs = 10_000): ConsumerGroupHeartbeatResponse {
  const ownedTopicPartitions = memberEpoch > 0 ? (owns.get(memberId) ?? []) : [];
  const answer = client.send({ kind: "consumer-group-heartbeat", correlationId: correlationId++, group: "g", memberId, memberEpoch, topics, ownedTopicPartitions, sessionTimeoutMs });
  expect(answer.kind).toBe("consumer-group-heartbeat-response");
  const response = answer as ConsumerGroupHeartbeatResponse;
  owns.set(memberId, response.error === "NONE" ? [...response.assignment] : []);
  return response;
}

function commit(client: ReturnType<typeof rawClient>, memberId: string, topicPartition: string, offset: number): OffsetCommitResponse {
  return client.send({ kind: "offset-commit", correlationId: correlationId++, group: "g", memberId, memberEpoch: 1, topicPartition, offset }) as OffsetCommitResponse;
}

describe("group coordinator (KIP-848 heartbeats, range assignment, offsets)", () => {
  beforeEach(() => owns.clear());

  it("assigns partitions with the range assignor over members sorted by id, moving a partition only after its owner lets go", () => {
    const { kernel, c } = cluster();
    const client = rawClient(c, kernel);
    const first = heartbeat(client, "m2", 0);
    expect(first).toMatchObject({ error: "NONE", memberEpoch: 1, assignment: ["t-0", "t-1", "t-2", "t-3", "t-4"] });
    // m1's target is t-0..t-2 (5 partitions over [m1, m2]: 3 and 2) and u (only m1 subscribes);
    // m2 still owns t-0..t-2, so m1 gets only what is free (KIP-848's first step).
    const second = heartbeat(client, "m1", 0, ["t", "u"]);
    expect(second).toMatchObject({ error: "NONE", memberEpoch: 2, assignment: ["u-0", "u-1"] });
    expect(c.coordinator.owner("g", "t-0")).toBe("m2");
    // m2 is told to revoke t-0..t-2; until it acknowledges, they are still its own.
    expect(heartbeat(client, "m2", 1)).toMatchObject({ error: "NONE", memberEpoch: 2, assignment: ["t-3", "t-4"] });
    expect(c.coordinator.owner("g", "t-0")).toBe("m2");
    expect(heartbeat(client, "m1", 2, ["t", "u"]).assignment).toEqual(["u-0", "u-1"]);
    // Its next heartbeat lists only t-3, t-4: the revoked partitions are released, and m1 gets them.
    expect(heartbeat(client, "m2", 2).assignment).toEqual(["t-3", "t-4"]);
    expect(c.coordinator.owner("g", "t-0")).toBeNull();
    expect(heartbeat(client, "m1", 2, ["t", "u"]).assignment).toEqual(["t-0", "t-1", "t-2", "u-0", "u-1"]);
    expect(c.coordinator.groupEpoch("g")).toBe(2);
    expect(c.coordinator.owner("g", "t-3")).toBe("m2");
    // Leaving hands everything to the one left.
    expect(heartbeat(client, "m1", -1)).toMatchObject({ error: "NONE", memberEpoch: -1, assignment: [] });
    expect(heartbeat(client, "m2", 2)).toMatchObject({ memberEpoch: 3, assignment: ["t-0", "t-1", "t-2", "t-3", "t-4"] });
  });

  it("fences a member after its session timeout without heartbeats; it must rejoin with epoch 0", () => {
    const { kernel, c } = cluster();
    const client = rawClient(c, kernel);
    heartbeat(client, "a", 0);
    heartbeat(client, "b", 0);
    // Only b keeps heartbeating.
    for (let k = 0; k < 4; k++) {
      kernel.scheduler.run({ untilNs: kernel.now + 3 * SECOND });
      heartbeat(client, "b", c.coordinator.members("g").find((m) => m.memberId === "b")!.memberEpoch);
    }
    expect(c.coordinator.members("g").map((m) => m.memberId)).toEqual(["b"]);
    expect(kernel.marks.count("kafka.group.member-expired")).toBe(1);
    expect(heartbeat(client, "a", 2)).toMatchObject({ error: "UNKNOWN_MEMBER_ID", assignment: [] });
    // a rejoins: its share is still b's until b lets go of it.
    expect(heartbeat(client, "a", 0).assignment).toEqual([]);
    expect(heartbeat(client, "b", 4).assignment).toEqual(["t-3", "t-4"]);
    expect(heartbeat(client, "b", 4).assignment).toEqual(["t-3", "t-4"]);
    expect(heartbeat(client, "a", 4).assignment).toEqual(["t-0", "t-1", "t-2"]);
    expect(heartbeat(client, "b", 99).error).toBe("FENCED_MEMBER_EPOCH");
  });

  it("stores committed offsets, refuses commits from members that do not own the partition, and keeps offsets across a coordinator crash", () => {
    const { kernel, c } = cluster();
    const client = rawClient(c, kernel);
    heartbeat(client, "a", 0);
    heartbeat(client, "b", 0);
    expect(commit(client, "a", "t-0", 42).error).toBe("NONE");
    expect(commit(client, "b", "t-0", 7).error).toBe("STALE_MEMBER_EPOCH");
    expect(commit(client, "zombie", "t-0", 7).error).toBe("UNKNOWN_MEMBER_ID");
    expect(c.coordinator.committed("g", "t-0")).toBe(42);
    expect(client.send({ kind: "offset-fetch", correlationId: correlationId++, group: "g", topicPartition: "t-0" })).toMatchObject({ offset: 42 });
    expect(client.send({ kind: "offset-fetch", correlationId: correlationId++, group: "g", topicPartition: "t-1" })).toMatchObject({ offset: -1 });

    c.world.processCrash(COORDINATOR_NODE);
    kernel.scheduler.run({ untilNs: kernel.now + 20 * SECOND });
    c.world.restart(COORDINATOR_NODE);
    kernel.scheduler.run({ untilNs: kernel.now + SECOND });
    // Sessions restart with the coordinator: nobody was fenced while it was down.
    expect(c.coordinator.members("g").map((m) => m.memberId)).toEqual(["a", "b"]);
    const again = rawClient(c, kernel);
    expect(again.send({ kind: "offset-fetch", correlationId: correlationId++, group: "g", topicPartition: "t-0" })).toMatchObject({ offset: 42 });
    kernel.scheduler.run({ untilNs: kernel.now + 11 * SECOND });
    expect(c.coordinator.members("g")).toEqual([]);
  });
});
