/**
 * Issue 19: with the safe configuration (RF 3, acks=all, min.insync=2,
 * idempotent producer) a leader change lost acknowledged writes. The new
 * leader had never heard of the producer, took a later batch of its
 * sequence first (Kafka accepts any sequence from a producer it has no state
 * for), and then answered the retried earlier batches with
 * DUPLICATE_SEQUENCE_NUMBER although it never stored them; the producer read
 * that as success. Kafka answers a retry with the stored batch's offset only
 * when it matches one of the five batches cached for the producer, and
 * refuses anything else out of sequence with OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
import { describe, expect, it } from "vitest";
import { failedChecks, runKafka } from "./run.js";

const SECOND = 1_000_000_000;

/**
 * The safe-configuration property's counterexample (shrunk): the controller
 * cut off from everyone at the start. Six partitions, since one request now
 * carries a batch of each (with three, the race no longer happens).
 */
function controllerCutOffAtStart() {
  return runKafka({
    seed: 0,
    cluster: {
      brokers: 3,
      topics: [{ name: "t", partitions: 6, replicationFactor: 3 }],
      config: {
        "min.insync.replicas": 2,
        "unclean.leader.election.enable": false,
        "mqsim.truncation": "leader-epoch",
        "replica.lag.time.max.ms": 2_000,
        "broker.session.timeout.ms": 3_000,
        "broker.heartbeat.interval.ms": 500,
      },
    },
    producers: [
      {
        name: "p1",
        topic: "t",
        partitions: 6,
        messagesPerSecond: 10,
        messagesPerSend: 1,
        bytesPerMessage: 100,
        config: { acks: "all", "enable.idempotence": true, "request.timeout.ms": 30_000, "delivery.timeout.ms": 60_000 },
      },
    ],
    consumers: ["c1", "c2"].map((name) => ({
      name,
      group: "g",
      topics: ["t"],
      config: { "mqsim.commit": "after-process", "mqsim.idempotent": true, "mqsim.processing.ms": 1, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 },
    })),
    faults: [{ verb: "partition", spec: { kind: "total", groups: [["controller"], ["b1", "b2", "b3", "c1", "c2", "p1"]] }, atNs: 655_298 }],
    faultPhaseNs: 10 * SECOND,
    convergeNsMax: 90 * SECOND,
  });
}

describe("idempotent producer across a leader change (issue 19)", () => {
  it("never reports a batch the new leader refused as out of order as written, so nothing acknowledged is lost", () => {
    const result = controllerCutOffAtStart();
    const marks = new Map(result.marks);
    // The branch that used to lie: a retry below the leader's sequence that it never stored.
    expect(marks.get("kafka.produce.out-of-order") ?? 0).toBeGreaterThan(0);
    expect(failedChecks(result, ["lost", "lost-effects", "reordered", "duplicated-effects", "divergence"])).toEqual([]);
    // Those batches end as failures the application sees, not as successes without an offset.
    const results = result.history.events.filter((event) => event.type === "send-result");
    expect(results.some((event) => event.outcome !== "ok" && event.error === "OUT_OF_ORDER_SEQUENCE_NUMBER")).toBe(true);
    expect(results.filter((event) => event.outcome === "ok" && event.position < 0)).toEqual([]);
  });
});
