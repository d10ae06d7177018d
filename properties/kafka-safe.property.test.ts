/**
 * The safe Kafka configuration holds under generated faults: RF 3, acks=all,
 * min.insync.replicas=2, unclean election off, truncation by leader epoch,
 * idempotent producer, and a consumer group of two that commits after
 * processing through an idempotent consumer. No acknowledged message is
 * lost or left unapplied, no effect is applied twice (deliveries may repeat:
 * at-least-once), nothing is reordered, replicas never diverge and nothing
 * read is later truncated; after healing the cluster converges and the group
 * drains. (Made unsafe by turning the idempotent consumer off, it fails at
 * once: a consumer cut off from the coordinator repeats effects.)
 *
 * Faults: process crashes, restarts, pauses, total / one-way / data-only /
 * controller-only partitions on the brokers and the consumers; partitions
 * may also cut off the producer and the controller, and one fault in four
 * falls in the first 200 ms, before any replica has heard of the producer
 * (issue 19's loss needed both). The producer's request.timeout.ms is drawn
 * too (2 s or Kafka's 30 s). MQSIM_FC_RUNS_SCALE=k searches k times deeper.
 * Power loss is not among them:
 * Kafka does not fsync by default and relies on replication, so when the ISR
 * has shrunk to one replica (the others fenced or lagging) a power loss of
 * that replica loses acknowledged writes even under this configuration —
 * KIP-966's motivation, shown as a named scenario in
 * src/systems/kafka/run.test.ts. With log.flush.interval.messages=1 (every
 * acknowledged write is on disk on every in-sync replica) power loss joins
 * the faults, in a second property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { faultScheduleArbitrary } from "../src/faults/arbitrary.js";
import { describeFault } from "../src/faults/fault.js";
import { formatCheckResults } from "../src/checks/format-check-results.js";
import type { FaultSchedule } from "../src/faults/fault.js";
import type { KafkaBrokerConfig } from "../src/systems/kafka/config.js";
import { CONTROLLER_CLASS, DATA_CLASS } from "../src/systems/kafka/protocol.js";
import { failedChecks, runKafka } from "../src/systems/kafka/run.js";
import { runsScaled } from "./fast-check-setup.js";

const SECOND = 1_000_000_000;
const NODES = ["b1", "b2", "b3", "c1", "c2"];
/**
 * Partitions also cut off the producer and the controller: a producer
 * isolated with some brokers, away from the controller, is how the new
 * leader came to see a later batch first (issue 19), and no schedule over
 * brokers and consumers alone reaches it.
 */
const PARTITION_NODES = [...NODES, "p1", "controller"];
const SAFETY_CHECKS = ["lost", "lost-effects", "unexpected", "duplicated-effects", "reordered", "inconsistent-offsets", "dirty-read", "divergence"];

const VERBS = ["processCrash", "restart", "pause", "resume", "partition", "heal"] as const;

/**
 * Without power loss: every verb on brokers and consumers. With power loss:
 * power losses, pauses and partitions of the brokers, so that runs often
 * take out every in-sync replica's page cache (a rack or data-centre power
 * cut), the case only a flush before acknowledging survives.
 */
const schedules = (withPowerLoss: boolean) =>
  faultScheduleArbitrary({
    nodeNames: withPowerLoss ? NODES.filter((name) => name.startsWith("b")) : NODES,
    partitionNodeNames: withPowerLoss ? ["b1", "b2", "b3", "p1", "controller"] : PARTITION_NODES,
    horizonNs: 10 * SECOND,
    faultsMax: 6,
    startWindowNs: SECOND / 5,
    verbs: withPowerLoss ? ["powerLoss", "powerLoss", "pause", "partition", "heal"] : VERBS,
    trafficClasses: [DATA_CLASS, CONTROLLER_CLASS],
  });

/** The workload, generated too: partitions, rate, batch of messages per send, processing time. */
const workloads = fc.record({
  partitions: fc.integer({ min: 1, max: 3 }),
  messagesPerSecond: fc.integer({ min: 10, max: 60 }),
  messagesPerSend: fc.integer({ min: 1, max: 4 }),
  processingMs: fc.integer({ min: 1, max: 60 }),
  /**
   * The producer's request.timeout.ms: short, or Kafka's default. Issue 19's
   * loss needs a request parked in an isolated leader's purgatory past the
   * heal, which a 2 s timeout never leaves there.
   */
  requestTimeoutMs: fc.constantFrom(2_000, 30_000),
});

type Workload = typeof workloads extends fc.Arbitrary<infer W> ? W : never;

function safeRun(seed: number, workload: Workload, faults: FaultSchedule, brokerExtra: Partial<KafkaBrokerConfig>) {
  return runKafka({
    seed,
    cluster: {
      brokers: 3,
      topics: [{ name: "t", partitions: workload.partitions, replicationFactor: 3 }],
      config: {
        "min.insync.replicas": 2,
        "unclean.leader.election.enable": false,
        "mqsim.truncation": "leader-epoch",
        "replica.lag.time.max.ms": 2_000,
        "broker.session.timeout.ms": 3_000,
        "broker.heartbeat.interval.ms": 500,
        ...brokerExtra,
      },
    },
    producers: [
      {
        name: "p1",
        topic: "t",
        partitions: workload.partitions,
        messagesPerSecond: workload.messagesPerSecond,
        messagesPerSend: workload.messagesPerSend,
        bytesPerMessage: 100,
        config: { acks: "all", "enable.idempotence": true, "request.timeout.ms": workload.requestTimeoutMs, "delivery.timeout.ms": 60_000 },
      },
    ],
    consumers: ["c1", "c2"].map((name) => ({
      name,
      group: "g",
      topics: ["t"],
      config: { "mqsim.commit": "after-process", "mqsim.idempotent": true, "mqsim.processing.ms": workload.processingMs, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 },
    })),
    faults,
    faultPhaseNs: 10 * SECOND,
    convergeNsMax: 90 * SECOND,
  });
}

/** Asserts the safe configuration's claims over `numRuns` generated runs; returns the coverage marks summed. */
function assertSafe(withPowerLoss: boolean, brokerExtra: Partial<KafkaBrokerConfig>, numRuns: number): Map<string, number> {
  const marks = new Map<string, number>();
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), workloads, schedules(withPowerLoss), (seed, workload, faults) => {
      const result = safeRun(seed, workload, faults, brokerExtra);
      for (const [name, count] of result.marks) marks.set(name, (marks.get(name) ?? 0) + count);
      const failed = failedChecks(result, SAFETY_CHECKS);
      if (failed.length > 0 || !result.liveness.isConverged) {
        throw new Error(
          `${formatCheckResults(failed)}\nliveness: ${JSON.stringify(result.liveness)}\nreplay: seed ${seed}, workload ${JSON.stringify(workload)}\n${faults.map(describeFault).join("\n")}\nexact schedule: ${JSON.stringify(faults)}`,
        );
      }
    }),
    { numRuns },
  );
  return marks;
}

describe("kafka: the safe configuration under generated faults and workloads", () => {
  it("loses, duplicates and reorders nothing, never diverges, and converges after healing", () => {
    const marks = assertSafe(false, {}, runsScaled(4_000));
    // The runs must have exercised what the configuration claims to survive.
    for (const mark of ["kafka.leader.failover", "kafka.isr.shrink", "kafka.isr.expand", "kafka.truncate", "world.process-crash", "world.pause", "kafka.group.member-expired", "kafka.consumer.repeat-not-applied", "kafka.produce.out-of-order"]) {
      expect(marks.get(mark) ?? 0, mark).toBeGreaterThan(0);
    }
  });

  it("with log.flush.interval.messages=1 it also survives power loss", () => {
    const marks = assertSafe(true, { "log.flush.interval.messages": 1 }, runsScaled(500));
    expect(marks.get("world.power-loss") ?? 0).toBeGreaterThan(0);
    expect(marks.get("kafka.leader.failover") ?? 0).toBeGreaterThan(0);
  });
});
