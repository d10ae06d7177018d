/**
 * How Kafka notices a silent peer, now that a partition no longer ends a
 * connection (TCP keeps it and retransmits, world/connection.ts): each
 * protocol's own timer decides.
 * - a producer waits request.timeout.ms (30 s) on a leader that was cut
 *   off, then closes the connection, refreshes metadata and retries;
 * - a broker cut off from the controller times its heartbeat out after
 *   min(controller.socket.timeout.ms, broker.session.timeout.ms / 2) and
 *   retries with backoff; the controller fences it after
 *   broker.session.timeout.ms;
 * - a follower cut off from its leader times its fetch out after
 *   replica.socket.timeout.ms and reconnects.
 */
import { describe, expect, it } from "vitest";
import { CONTROLLER_CLASS, DATA_CLASS } from "./protocol.js";
import { failedChecks, runKafka, type KafkaRunSpec } from "./run.js";

const SECOND = 1_000_000_000;
const CUT_AT = 5 * SECOND;

function isolateLeader(producerConfig: NonNullable<KafkaRunSpec["producers"][number]["config"]>): ReturnType<typeof runKafka> {
  return runKafka({
    seed: 5,
    cluster: { brokers: 3, topics: [{ name: "t", partitions: 1, replicationFactor: 3 }], config: { "min.insync.replicas": 2 } },
    producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 200, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: "all", ...producerConfig } }],
    faults: [
      { atNs: CUT_AT, verb: "partition", name: "cut", spec: { kind: "isolate", nodes: ["b1"] } },
      { atNs: 60 * SECOND, verb: "heal", name: "cut" },
    ],
    faultPhaseNs: 70 * SECOND,
    convergeNsMax: 60 * SECOND,
  });
}

/** The first acknowledgement after the cut: when the producer was writing again. */
function firstAckAfterCut(result: ReturnType<typeof runKafka>): number {
  const ack = result.history.events.find((event) => event.type === "send-result" && event.outcome === "ok" && event.timeNs > CUT_AT + 100_000_000);
  return ack === undefined ? Number.POSITIVE_INFINITY : ack.timeNs - CUT_AT;
}

describe("failure detection by each protocol's own timers", () => {
  it("a producer waits request.timeout.ms on its cut-off leader before it finds the new one (30 s by default, 3 s if set)", () => {
    const patient = isolateLeader({});
    const hasty = isolateLeader({ "request.timeout.ms": 3_000 });
    const marks = new Map(patient.marks);
    expect(marks.get("kafka.producer.request-timeout")).toBeGreaterThan(0);
    // The controller moves the leadership after broker.session.timeout.ms (9 s); the default producer is still
    // waiting on b1 then, and writes again only after its 30 s request timeout.
    expect(firstAckAfterCut(patient)).toBeGreaterThan(30 * SECOND);
    expect(firstAckAfterCut(patient)).toBeLessThan(35 * SECOND);
    expect(firstAckAfterCut(hasty)).toBeGreaterThan(9 * SECOND);
    expect(firstAckAfterCut(hasty)).toBeLessThan(15 * SECOND);
    for (const result of [patient, hasty]) {
      expect(result.marks).toContainEqual(["kafka.broker.fenced", 1]);
      expect(failedChecks(result, ["lost", "divergence", "reordered"])).toEqual([]);
      expect(result.liveness.isConverged).toBe(true);
    }
  });

  it("a broker cut off from the controller times its heartbeat out at broker.session.timeout.ms / 2, is fenced at the session timeout, and comes back after the heal", () => {
    const result = runKafka({
      seed: 5,
      cluster: { brokers: 3, topics: [{ name: "t", partitions: 3, replicationFactor: 3 }], config: { "min.insync.replicas": 2 } },
      producers: [{ name: "p1", topic: "t", partitions: 3, messagesPerSecond: 200, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: "all" } }],
      faults: [
        { atNs: CUT_AT, verb: "partition", name: "cut", spec: { kind: "isolate", nodes: ["b2"], classes: [CONTROLLER_CLASS] } },
        { atNs: 30 * SECOND, verb: "heal", name: "cut" },
      ],
      faultPhaseNs: 40 * SECOND,
      convergeNsMax: 60 * SECOND,
    });
    const marks = new Map(result.marks);
    // 25 s of cut at one timeout per 4.5 s plus backoff: a handful, not one per heartbeat interval.
    expect(marks.get("kafka.broker.heartbeat-timeout")).toBeGreaterThanOrEqual(1);
    expect(marks.get("kafka.broker.heartbeat-timeout")).toBeLessThan(8);
    expect(marks.get("kafka.broker.fenced")).toBe(1);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result, ["lost", "divergence"])).toEqual([]);
  });

  it("a follower cut off from its leader times its fetch out after replica.socket.timeout.ms, not before", () => {
    const run = (socketTimeoutMs: number) =>
      runKafka({
        seed: 5,
        cluster: { brokers: 3, topics: [{ name: "t", partitions: 1, replicationFactor: 3 }], config: { "replica.socket.timeout.ms": socketTimeoutMs } },
        producers: [{ name: "p1", topic: "t", partitions: 1, messagesPerSecond: 100, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: 1 } }],
        faults: [
          { atNs: CUT_AT, verb: "partition", name: "cut", spec: { kind: "one-way", from: ["b1"], to: ["b2"], classes: [DATA_CLASS] } },
          { atNs: CUT_AT + 12 * SECOND, verb: "heal", name: "cut" },
        ],
        faultPhaseNs: 30 * SECOND,
        convergeNsMax: 60 * SECOND,
      });
    const timeouts = (result: ReturnType<typeof runKafka>): number => new Map(result.marks).get("kafka.replica-fetcher.request-timeout") ?? 0;
    // A 12 s cut: at 30 s the fetch in flight simply completes after the heal (TCP held it); at 5 s it times out,
    // and the reconnect waits for the heal (its handshake's answer is cut).
    const patient = run(30_000);
    const hasty = run(5_000);
    expect(timeouts(patient)).toBe(0);
    expect(timeouts(hasty)).toBe(1);
    for (const result of [patient, hasty]) expect(result.liveness.isConverged).toBe(true);
  });
});
