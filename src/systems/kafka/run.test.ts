import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import type { KafkaBrokerConfig } from "./config.js";
import { DATA_CLASS } from "./protocol.js";
import { failedChecks, runKafka, type KafkaRunSpec } from "./run.js";

const SECOND = 1_000_000_000;

function spec(overrides: Partial<KafkaRunSpec> & { config?: KafkaRunSpec["cluster"]["config"] }): KafkaRunSpec {
  return {
    seed: 5,
    cluster: { brokers: 3, topics: [{ name: "t", partitions: 1, replicationFactor: 3 }], config: { "replica.lag.time.max.ms": 2_000, ...overrides.config } },
    producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 1000, messagesPerSend: 10, bytesPerMessage: 100, config: { acks: "all" } }],
    faults: [],
    faultPhaseNs: 20 * SECOND,
    convergeNsMax: 60 * SECOND,
    ...overrides,
  };
}

/** K3: the followers cannot fetch, the ISR shrinks to the leader, which keeps acknowledging, then it dies. */
const K3_FAULTS: FaultSchedule = [
  { atNs: 2 * SECOND, verb: "partition", name: "followers-cut", spec: { kind: "one-way", from: ["b2", "b3"], to: ["b1"], classes: [DATA_CLASS] } },
  { atNs: 8 * SECOND, verb: "processCrash", node: "b1" },
  { atNs: 9 * SECOND, verb: "heal", name: "followers-cut" },
];

describe("kafka runs: history, final read, checks, liveness", () => {
  it("without faults every acknowledged message is read back once, in order, and the cluster converges", () => {
    const result = runKafka(spec({}));
    expect(result.liveness).toEqual(expect.objectContaining({ isConverged: true }));
    expect(failedChecks(result, ["lost", "unexpected", "duplicated", "reordered", "inconsistent-offsets", "dirty-read", "divergence"])).toEqual([]);
    const lost = result.checks.find((check) => check.check === "lost")!;
    // One send every 10 ms from 10 ms up to (not including) 20 s.
    expect(lost.counts["acked"]).toBe(19_990);
  });

  it("K3: unclean leader election loses acknowledged writes (acks=all, min.insync.replicas=1)", () => {
    const result = runKafka(spec({ faults: K3_FAULTS, config: { "min.insync.replicas": 1, "unclean.leader.election.enable": true } }));
    const lost = result.checks.find((check) => check.check === "lost")!;
    expect(lost.ok).toBe(false);
    expect(result.marks).toContainEqual(["kafka.election.unclean", 1]);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("K3 safe: with unclean election off the partition waits for its last in-sync replica and nothing is lost", () => {
    const result = runKafka(spec({ faults: [...K3_FAULTS, { atNs: 12 * SECOND, verb: "restart", node: "b1" }], config: { "min.insync.replicas": 1, "unclean.leader.election.enable": false } }));
    expect(failedChecks(result, ["lost", "divergence", "dirty-read"])).toEqual([]);
    expect(result.marks.find(([name]) => name === "kafka.partition.offline")?.[1]).toBeGreaterThan(0);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("min.insync.replicas=1 without fsync: a power loss of the only in-sync replica loses acknowledged writes even with unclean election off", () => {
    const faults: FaultSchedule = K3_FAULTS.map((fault) => (fault.verb === "processCrash" ? { atNs: fault.atNs, verb: "powerLoss", node: fault.node } : fault));
    const result = runKafka(spec({ faults: [...faults, { atNs: 12 * SECOND, verb: "restart", node: "b1" }], config: { "min.insync.replicas": 1, "unclean.leader.election.enable": false } }));
    expect(result.checks.find((check) => check.check === "lost")!.ok).toBe(false);
    expect(result.marks.find(([name]) => name === "kafka.election.unclean")).toBeUndefined();
  });

  it("KIP-966's case: acks=all, min.insync.replicas=2, no fsync; one replica fenced, then the last in-sync one loses power: acknowledged writes are lost (and log.flush.interval.messages=1 keeps them)", () => {
    // b3 stops (the ISR of both partitions becomes b1, b2, which acknowledge together); then b1 stops
    // and is fenced, leaving b2 the last in-sync replica; then b2 loses power with nothing fsynced.
    // At the heal b2, the only ISR member, leads again from its empty log and the others truncate to it.
    const faults: FaultSchedule = [
      { atNs: 0, verb: "pause", node: "b3" },
      { atNs: 5 * SECOND, verb: "pause", node: "b1" },
      { atNs: 9 * SECOND, verb: "powerLoss", node: "b2" },
    ];
    const config = { "min.insync.replicas": 2, "broker.session.timeout.ms": 3_000, "broker.heartbeat.interval.ms": 500 };
    const run = (flush: KafkaRunSpec["cluster"]["config"]) =>
      runKafka({
        ...spec({ faults, config }),
        seed: 0,
        cluster: { brokers: 3, topics: [{ name: "t", partitions: 2, replicationFactor: 3 }], config: { ...config, ...flush, "replica.lag.time.max.ms": 2_000 } },
        producers: [{ name: "p1", topic: "t", partitions: 2, messagesPerSecond: 20, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: "all", "enable.idempotence": true, "request.timeout.ms": 2_000, "delivery.timeout.ms": 60_000 } }],
        faultPhaseNs: 10 * SECOND,
        convergeNsMax: 90 * SECOND,
      });
    const result = run({});
    expect(result.checks.find((check) => check.check === "lost")!.ok).toBe(false);
    expect(result.marks.find(([name]) => name === "kafka.election.unclean")).toBeUndefined();
    expect(result.liveness.isConverged).toBe(true);
    // The fix: flush every message before answering (leader) or fetching again (follower).
    const flushed = run({ "log.flush.interval.messages": 1 });
    expect(failedChecks(flushed, ["lost", "divergence", "dirty-read"])).toEqual([]);
    expect(flushed.liveness.isConverged).toBe(true);
  });

  it("KAFKA-15583: the high watermark stands still while the ISR is below min.insync.replicas, so consumers read nothing until it recovers", () => {
    const result = runKafka(
      spec({
        config: { "min.insync.replicas": 2 },
        producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 1000, messagesPerSend: 10, bytesPerMessage: 100, config: { acks: 1 } }],
        consumers: [{ name: "c1", group: "g", topics: ["t"], config: { "mqsim.commit": "after-process", "mqsim.processing.ms": 1 } }],
        // Both followers stop fetching from 2 s to 12 s: after replica.lag.time.max.ms (2 s) the ISR is the leader alone.
        faults: [
          { atNs: 2 * SECOND, verb: "partition", name: "cut", spec: { kind: "isolate", nodes: ["b2", "b3"], classes: [DATA_CLASS] } },
          { atNs: 12 * SECOND, verb: "heal", name: "cut" },
        ],
      }),
    );
    const marks = new Map(result.marks);
    expect(marks.get("kafka.isr.shrink") ?? 0).toBeGreaterThan(0);
    const delivered = result.history.events.filter((event) => event.type === "deliver" && event.group === "g");
    // acks=1 writes went on at the leader, but none was readable while it was the only in-sync replica.
    expect(delivered.filter((event) => event.timeNs > 6 * SECOND && event.timeNs < 12 * SECOND)).toEqual([]);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "dirty-read", "divergence"])).toEqual([]);
  });

  it("a controlled shutdown (the shutdown verb) moves leadership before the broker exits: a rolling restart stalls sends for milliseconds, a crash for the session timeout", () => {
    /** The longest stretch without an acknowledged batch between 4 s and 12 s. */
    function longestGapNs(verb: "shutdown" | "processCrash"): { gapNs: number; result: ReturnType<typeof runKafka> } {
      const result = runKafka(
        spec({
          config: { "min.insync.replicas": 2 },
          producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 1000, messagesPerSend: 10, bytesPerMessage: 100, config: { acks: "all", "enable.idempotence": true } }],
          faults: [
            { atNs: 5 * SECOND, verb, node: "b1" },
            { atNs: 10 * SECOND, verb: "restart", node: "b1" },
          ],
        }),
      );
      const acks = result.history.events.filter((event) => event.type === "send-result" && event.outcome === "ok" && event.timeNs > 4 * SECOND && event.timeNs < 12 * SECOND).map((event) => event.timeNs);
      let gapNs = 0;
      for (let i = 1; i < acks.length; i++) gapNs = Math.max(gapNs, acks[i]! - acks[i - 1]!);
      return { gapNs, result };
    }
    const clean = longestGapNs("shutdown");
    const crash = longestGapNs("processCrash");
    const marks = new Map(clean.result.marks);
    expect(marks.get("kafka.broker.controlled-shutdown")).toBe(1);
    expect(marks.get("world.shutdown.software-exit")).toBe(1);
    expect(clean.gapNs).toBeLessThan(500_000_000);
    // broker.session.timeout.ms (9 s by default) passes before the controller moves the leadership of a crashed broker.
    expect(crash.gapNs).toBeGreaterThan(5 * SECOND);
    for (const { result } of [clean, crash]) expect(failedChecks(result, ["lost", "divergence", "reordered"])).toEqual([]);
  });

  it("stops at its memory budget (history records), deterministically, as a liveness failure that says why", () => {
    const a = runKafka(spec({ historyRecordsMax: 500 }));
    const b = runKafka(spec({ historyRecordsMax: 500 }));
    expect(a.stopReason).toBe("memory-budget");
    expect(a.timeNs).toBeLessThan(20 * SECOND);
    expect(a.liveness.isConverged).toBe(false);
    expect(a.liveness.reasons.at(-1)).toMatch(/memory budget \(budgets.maxMemory, --max-memory\)/);
    // A few records past the limit (the event that reached it), not many; then the final read (one per committed batch).
    const finalRead = a.history.events.filter((event) => event.type === "deliver" && event.client === "final-reader").length;
    expect(finalRead).toBeGreaterThan(0);
    expect(a.history.length - finalRead).toBeLessThan(500 + 20);
    expect(b.digest).toBe(a.digest);
  });

  it("is deterministic: the same spec gives the same digest", () => {
    const a = runKafka(spec({ faults: K3_FAULTS, config: { "min.insync.replicas": 1, "unclean.leader.election.enable": true } }));
    const b = runKafka(spec({ faults: K3_FAULTS, config: { "min.insync.replicas": 1, "unclean.leader.election.enable": true } }));
    expect(b.digest).toBe(a.digest);
  });
});

describe("log.flush.interval.ms", () => {
  /** fsyncs the brokers issued over 5 s of writes. */
  function fsyncs(config: Partial<KafkaBrokerConfig>): number {
    const result = runKafka({
      ...spec({}),
      cluster: { brokers: 3, topics: [{ name: "t", partitions: 2, replicationFactor: 3 }], config },
      producers: [{ name: "p1", topic: "t", partitions: 2, messagesPerSecond: 200, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: "all" } }],
      faultPhaseNs: 5 * SECOND,
    });
    return result.cluster.brokerNames.reduce((sum, name) => sum + result.cluster.world.disk(name).stats().fsyncCalls, 0);
  }

  it("does nothing alone, as in Kafka: only the background flusher (log.flush.scheduler.interval.ms) acts on it", () => {
    expect(fsyncs({ "log.flush.interval.ms": 100 })).toBe(fsyncs({}));
    // Every 100 ms the flusher flushes each log not flushed for 200 ms: 2 logs on each of 3 brokers, about every 200 ms for 5 s.
    const flushed = fsyncs({ "log.flush.interval.ms": 200, "log.flush.scheduler.interval.ms": 100 }) - fsyncs({});
    expect(flushed).toBeGreaterThan(100);
    expect(flushed).toBeLessThan(200);
  });
});

describe("log.flush.interval.messages", () => {
  /** Median time from a batch's send to its acknowledgement, on spinning disks. */
  function medianAckNs(acks: 1 | "all", flushEvery: number | undefined): number {
    const result = runKafka({
      ...spec({}),
      cluster: {
        brokers: 3,
        topics: [{ name: "t", partitions: 1, replicationFactor: 3 }],
        disk: "hdd",
        config: flushEvery === undefined ? {} : { "log.flush.interval.messages": flushEvery },
      },
      producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 20, messagesPerSend: 1, bytesPerMessage: 100, config: { acks, "linger.ms": 0 } }],
      faultPhaseNs: 2 * SECOND,
    });
    const sentNs = new Map<number, number>();
    const latencies: number[] = [];
    for (const event of result.history.events) {
      if (event.type === "send") sentNs.set(event.idFirst, event.timeNs);
      if (event.type === "send-result" && event.outcome === "ok") latencies.push(event.timeNs - sentNs.get(event.idFirst)!);
    }
    latencies.sort((a, b) => a - b);
    return latencies[latencies.length >> 1]!;
  }

  it("makes every acknowledgement wait for an fsync: the leader's (acks=1), and every in-sync replica's (acks=all)", () => {
    const MS = 1_000_000;
    console.log([medianAckNs(1, undefined), medianAckNs("all", undefined), medianAckNs(1, 1), medianAckNs("all", 1)].map((ns) => (ns / MS).toFixed(3)).join(" ms, ") + " ms (median ack: acks=1, acks=all; then with a flush per message)");
    // No flush: acknowledged from the page cache, well under a millisecond.
    expect(medianAckNs(1, undefined)).toBeLessThan(1 * MS);
    expect(medianAckNs("all", undefined)).toBeLessThan(2 * MS);
    // A flush per message on an hdd costs a rotation or more before the answer.
    expect(medianAckNs(1, 1)).toBeGreaterThan(3 * MS);
    expect(medianAckNs("all", 1)).toBeGreaterThan(medianAckNs(1, 1));
  });
});
