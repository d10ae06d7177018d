/**
 * Consumer groups inside runKafka: the group consumes through the faults,
 * drains after healing, and its deliveries and effects are judged. K12 is
 * the consumer's half of the anomaly table: committing before processing
 * loses what a crash interrupts; committing after processing repeats it,
 * which an idempotent consumer absorbs.
 */
import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import type { CommitPolicy } from "./consumer-config.js";
import { failedChecks, runKafka, type KafkaRunResult, type KafkaRunSpec } from "./run.js";

const SECOND = 1_000_000_000;

function spec(commit: CommitPolicy, idempotent: boolean, faults: FaultSchedule): KafkaRunSpec {
  return {
    seed: 12,
    cluster: {
      brokers: 3,
      topics: [{ name: "t", partitions: 2, replicationFactor: 3 }],
      config: { "min.insync.replicas": 2, "replica.lag.time.max.ms": 2_000, "broker.session.timeout.ms": 3_000, "broker.heartbeat.interval.ms": 500 },
    },
    producers: [{ name: "p1", topic: "t", partitions: 2, messagesPerSecond: 200, messagesPerSend: 10, bytesPerMessage: 100, config: { acks: "all" } }],
    consumers: ["c1", "c2"].map((name) => ({
      name,
      group: "g",
      topics: ["t"],
      config: { "mqsim.commit": commit, "mqsim.idempotent": idempotent, "mqsim.processing.ms": 80, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 },
    })),
    faults,
    faultPhaseNs: 10 * SECOND,
    convergeNsMax: 60 * SECOND,
  };
}

/**
 * The consumer on c1 crashes three times. Each consumer gets a 10-message
 * batch every 100 ms and takes 80 ms to process it, so a crash almost always
 * interrupts a batch in hand.
 */
const CONSUMER_CRASHES: FaultSchedule = [
  { atNs: 3_005_000_000, verb: "processCrash", node: "c1" },
  { atNs: 3_500_000_000, verb: "restart", node: "c1" },
  { atNs: 5_033_000_000, verb: "processCrash", node: "c1" },
  { atNs: 5_500_000_000, verb: "restart", node: "c1" },
  { atNs: 7_061_000_000, verb: "processCrash", node: "c1" },
];

/**
 * c2 loses the coordinator (not the brokers) for 8 s: it goes on fetching
 * and processing, but its commits fail; after session.timeout.ms its
 * partitions move to c1, which starts again from the last commit.
 */
const ZOMBIE_CONSUMER: FaultSchedule = [
  { atNs: 1_000_000_000, verb: "partition", name: "c2-coordinator", spec: { kind: "total", groups: [["c2"], ["controller"]] } },
  { atNs: 9_000_000_000, verb: "heal", name: "c2-coordinator" },
];

const count = (result: KafkaRunResult, check: string, key: string): number => result.checks.find((c) => c.check === check)!.counts[key] ?? 0;

describe("kafka runs with a consumer group", () => {
  it("without faults the group applies every acknowledged message exactly once and the run converges", () => {
    const result = runKafka(spec("after-process", false, []));
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "lost-effects", "duplicated", "duplicated-effects", "reordered", "unexpected"])).toEqual([]);
    // One send every 50 ms from 50 ms up to (not including) 10 s.
    expect(count(result, "lost-effects", "acked")).toBe(1_990);
    expect(count(result, "duplicated-effects", "applied")).toBe(1_990);
  });

  it("K12: commit before processing + consumer crash skips messages for good (lost effects), though they were delivered", () => {
    const result = runKafka(spec("before-process", false, CONSUMER_CRASHES));
    expect(result.liveness.isConverged).toBe(true);
    const lostEffects = result.checks.find((c) => c.check === "lost-effects")!;
    expect(lostEffects.ok).toBe(false);
    expect(lostEffects.counts["unapplied"]).toBeGreaterThan(0);
    // Delivered, so the delivery-based check is satisfied: only effects show the loss.
    expect(failedChecks(result, ["lost"])).toEqual([]);
  });

  it("K12: auto-commit of handed-over records (auto-async: processing off the poll thread) + consumer crash loses what was being processed", () => {
    const auto = spec("auto-async", false, CONSUMER_CRASHES);
    // Commit often, so a commit lands while a handed-over batch is being processed.
    for (const consumer of auto.consumers!) consumer.config["auto.commit.interval.ms"] = 30;
    const result = runKafka(auto);
    expect(result.checks.find((c) => c.check === "lost-effects")!.ok).toBe(false);
  });

  it("enable.auto.commit in a poll loop (Java's consumer commits in poll() what earlier polls returned): the same crashes repeat, never lose", () => {
    const auto = spec("auto", false, CONSUMER_CRASHES);
    // Several batches are finished between commits, so a crash has something to repeat.
    for (const consumer of auto.consumers!) consumer.config["auto.commit.interval.ms"] = 500;
    const result = runKafka(auto);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "lost-effects"])).toEqual([]);
    // At-least-once: what was processed after the last commit is delivered and applied again.
    expect(result.checks.find((c) => c.check === "duplicated-effects")!.ok).toBe(false);
    expect(result.history.events.some((event) => event.type === "commit")).toBe(true);
  });

  it("K12 fix, half-way: commit after processing applies everything, but a consumer cut off from the coordinator applies some twice", () => {
    const result = runKafka(spec("after-process", false, [...CONSUMER_CRASHES, ...ZOMBIE_CONSUMER].sort((a, b) => a.atNs - b.atNs)));
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "lost-effects"])).toEqual([]);
    expect(result.checks.find((c) => c.check === "duplicated-effects")!.ok).toBe(false);
  });

  it("K12 safe: commit after processing with an idempotent consumer applies every message exactly once", () => {
    const result = runKafka(spec("after-process", true, [...CONSUMER_CRASHES, ...ZOMBIE_CONSUMER].sort((a, b) => a.atNs - b.atNs)));
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "lost-effects", "duplicated-effects", "reordered", "unexpected"])).toEqual([]);
    // The crash did repeat deliveries; the store absorbed them.
    expect(result.checks.find((c) => c.check === "duplicated")!.ok).toBe(false);
  });

  it("does not call a group drained while a member owns a partition it has not taken up yet", () => {
    // Found by the safe-configuration property: brokers paused and crashed
    // from the start, the consumers cut off from the coordinator. At the heal
    // the coordinator assigned the partition to a member that had not yet
    // heard, and the run "converged" with the group having applied nothing.
    const result = runKafka({
      ...spec("after-process", true, [
        { verb: "pause", node: "b2", atNs: 0 },
        { verb: "processCrash", node: "b3", atNs: 0 },
        { verb: "pause", node: "b1", atNs: 0 },
        { verb: "partition", spec: { kind: "one-way", from: ["c1", "c2"], to: ["controller"] }, atNs: 49_039_877 },
        { verb: "partition", spec: { kind: "isolate", nodes: ["b2", "b3", "p1"] }, atNs: 6_399_039_878 },
      ]),
      seed: 534,
    });
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "lost-effects"])).toEqual([]);
  });
});
