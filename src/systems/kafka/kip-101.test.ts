/**
 * K4, the first scenario of KIP-101: a follower restarts, truncates its log to
 * its own high watermark (which lags the leader's), cannot re-fetch before the
 * leader dies, and is elected: committed messages are gone. With truncation
 * by leader epoch the follower keeps its log and nothing is lost.
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { TruncationMode } from "./config.js";
import { buildKafkaCluster } from "./cluster.js";
import { convergence, finalLogs } from "./cluster-state.js";
import { PeerLink } from "./peer-link.js";
import { DATA_CLASS, DATA_PORT, type ProduceResponse } from "./protocol.js";
import { failedChecks, runKafka } from "./run.js";

function runKip101(truncation: TruncationMode): { acked: number; committedAfter: number; truncations: number; converged: boolean } {
  const kernel = new Kernel({ seed: 101 });
  const c = buildKafkaCluster(kernel, {
    brokers: 2,
    topics: [{ name: "t", partitions: 1, replicationFactor: 2 }],
    clients: ["client"],
    network: { latency: { kind: "constant", value: 200_000 } },
    // The ZooKeeper era, when KIP-101 was written: a fast restart kept the follower in the ISR.
    config: { "min.insync.replicas": 2, "mqsim.truncation": truncation, "mqsim.reregistration": "keep" },
  });
  const { world } = c;
  world.boot();
  kernel.scheduler.run({ untilNs: 2_000_000_000 });
  const responses: ProduceResponse[] = [];
  let sent = false;
  const link: PeerLink = new PeerLink(world, world.node("client"), world.node("b1"), DATA_PORT, DATA_CLASS, 100_000_000, {
    // Send once: a reconnect must not resend (this bare client has no retries).
    onOpen: () => void (responses.length === 0 && !sent && (sent = true) && link.send({ kind: "produce", correlationId: 1, acks: -1, timeoutMs: 5_000, parts: [{ topicPartition: "t-0", batch: { baseOffset: -1, count: 10, leaderEpoch: -1, idFirst: 0, bytes: 1000, producerId: -1, baseSequence: -1 } }] })),
    onMessage: (message) => {
      if (message.kind === "produce-response") responses.push(message);
    },
    onDown: () => undefined,
  });
  link.connect();
  kernel.scheduler.run({ until: () => responses.length > 0 });
  const acked = responses[0]!.parts[0]!.error === "NONE" ? 10 : 0;
  // The follower has the data but has not yet learned the new high watermark.
  world.processCrash("b2");
  world.partition({ kind: "total", groups: [["b1"], ["b2"]], classes: [DATA_CLASS] }, "data-cut");
  kernel.scheduler.run({ untilNs: kernel.now + 100_000_000 });
  world.restart("b2");
  kernel.scheduler.run({ untilNs: kernel.now + 100_000_000 });
  world.processCrash("b1");
  kernel.scheduler.run({ untilNs: kernel.now + 15_000_000_000 });
  world.heal();
  world.restart("b1");
  kernel.scheduler.run({ untilNs: kernel.now + 40_000_000_000 });
  const log = finalLogs(c).get("t-0") ?? [];
  const committedAfter = log.reduce((sum, entry) => sum + entry.count, 0);
  return { acked, committedAfter, truncations: kernel.marks.count("kafka.truncate"), converged: convergence(c).isConverged };
}

describe("K4: KIP-101 truncation", () => {
  it("loses acknowledged, committed messages when a restarted follower truncates to its high watermark", () => {
    const result = runKip101("high-watermark");
    expect(result.acked).toBe(10);
    expect(result.committedAfter).toBe(0);
    expect(result.truncations).toBeGreaterThan(0);
    expect(result.converged).toBe(true);
  });

  it("keeps them with truncation by leader epoch", () => {
    const result = runKip101("leader-epoch");
    expect(result.acked).toBe(10);
    expect(result.committedAfter).toBe(10);
    expect(result.converged).toBe(true);
  });
});

/**
 * KIP-279, Experiment B of the 2026-12 model review: leadership moves b1 →
 * b3 → … while b2 holds a tail of epoch 2 that b3 never had. With KIP-101
 * alone b2 truncates to min(the leader's end of epoch 1, its own log end)
 * and keeps its epoch-2 records on top of the leader's epoch-1 ones: the
 * replicas stay divergent. With KIP-279 it cuts where its own epoch 1 ends.
 */
describe("KIP-279: truncation by the epoch the leader answered for", () => {
  function kip279(truncation: TruncationMode) {
    const SECOND = 1_000_000_000;
    return runKafka({
      seed: 3,
      cluster: { brokers: 3, disk: "nvme", topics: [{ name: "t", partitions: 1, replicationFactor: 3 }], config: { "min.insync.replicas": 1, "mqsim.truncation": truncation } },
      producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 200, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: 1, "linger.ms": 0, "request.timeout.ms": 3_000 } }],
      // request.timeout.ms 3 s: the producer leaves the isolated b1 in time to write to b2 while b2 leads (see regressions/kip279-acks1.yaml).
      faults: [
        { atNs: 2 * SECOND, verb: "partition", name: "cutB2", spec: { kind: "isolate", nodes: ["b2"], classes: [DATA_CLASS] } },
        { atNs: 4 * SECOND, verb: "partition", name: "cutB1", spec: { kind: "isolate", nodes: ["b1"] } },
        { atNs: 4 * SECOND, verb: "heal", name: "cutB2" },
        { atNs: 4 * SECOND, verb: "partition", name: "cutB3", spec: { kind: "isolate", nodes: ["b3"], classes: [DATA_CLASS] } },
        { atNs: 16 * SECOND, verb: "processCrash", node: "b2" },
        { atNs: 27 * SECOND, verb: "heal", name: "cutB1" },
        { atNs: 27 * SECOND, verb: "heal", name: "cutB3" },
        { atNs: 28 * SECOND, verb: "restart", node: "b2" },
      ],
      faultPhaseNs: 30 * SECOND,
      convergeNsMax: 60 * SECOND,
    });
  }

  it("KIP-101 alone (mqsim.truncation: leader-epoch-kip101) leaves replicas divergent by hundreds of positions", () => {
    const result = kip279("leader-epoch-kip101");
    const divergence = result.checks.find((check) => check.check === "divergence")!;
    expect(divergence.ok).toBe(false);
    expect(divergence.counts["divergent"]).toBeGreaterThan(100);
    // The logs end at the same offset, but the run is not called converged: their contents differ.
    expect(result.liveness.isConverged).toBe(false);
    expect(result.liveness.reasons.some((reason) => reason.includes("holds other batches"))).toBe(true);
  });

  it("with KIP-279 (the default) the replicas agree", () => {
    const result = kip279("leader-epoch");
    expect(failedChecks(result, ["divergence"])).toEqual([]);
    expect(result.liveness.isConverged).toBe(true);
  });
});
