/**
 * C8 (../shared/mission.md): Kafka before 0.8 spread partitions over brokers
 * without copies, so one broker of three down takes a third of the data with
 * it. Six partitions, replication factor 1, three brokers: b1 leads two.
 * - b1's process crashes (its disk survives): for as long as it is down,
 *   sends to its two partitions go unacknowledged, exactly a third of them;
 *   nothing is lost once it is back.
 * - b1's machine loses power (no fsync, Kafka's default): what it had
 *   acknowledged was still in its page cache, and it is gone — a third of
 *   everything acknowledged before the fault, all of it from b1's partitions.
 */
import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../history/history.js";
import { FINAL_READ_GROUP, runKafka, type KafkaRunResult } from "./run.js";

const SECOND = 1_000_000_000;
const FAULT_AT_NS = 5 * SECOND;
const HEAL_AT_NS = 15 * SECOND;

function run(verb: "processCrash" | "powerLoss"): KafkaRunResult {
  return runKafka({
    seed: 8,
    cluster: { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor: 1 }], config: { "broker.session.timeout.ms": 3_000, "broker.heartbeat.interval.ms": 500 } },
    producers: [{ name: "p1", topic: "t", partitions: 6, messagesPerSecond: 600, messagesPerSend: 1, bytesPerMessage: 1_000, config: { acks: 1, "request.timeout.ms": 1_000, "delivery.timeout.ms": 3_000 } }],
    faults: [{ atNs: FAULT_AT_NS, verb, node: "b1" }],
    faultPhaseNs: HEAL_AT_NS,
    convergeNsMax: 60 * SECOND,
  });
}

/** Partitions whose only replica is on the broker. */
function partitionsOn(result: KafkaRunResult, broker: string): string[] {
  return result.cluster.controller
    .partitionStates()
    .filter((state) => state.replicas.length === 1 && state.replicas[0] === broker)
    .map((state) => state.topicPartition)
    .sort();
}

/** Per partition: messages sent while b1 was down, and how many of them were acknowledged before the heal. */
function outageByPartition(result: KafkaRunResult): Map<string, { sent: number; acked: number }> {
  const sentAtNs = new Map<number, number>();
  const byPartition = new Map<string, { sent: number; acked: number }>();
  for (const event of result.history.events as readonly HistoryEvent[]) {
    if (event.type === "send") for (let k = 0; k < event.count; k++) sentAtNs.set(event.idFirst + k, event.timeNs);
    if (event.type !== "send-result") continue;
    const sentNs = sentAtNs.get(event.idFirst)!;
    if (sentNs < FAULT_AT_NS || sentNs >= HEAL_AT_NS) continue;
    // The producer reports each batch once: acknowledged, or failed after delivery.timeout.ms.
    const counts = byPartition.get(event.stream) ?? { sent: 0, acked: 0 };
    counts.sent += event.count;
    if (event.outcome === "ok" && event.timeNs < HEAL_AT_NS) counts.acked += event.count;
    byPartition.set(event.stream, counts);
  }
  return byPartition;
}

describe("C8: replication factor 1, one broker of three lost", () => {
  it("a crashed broker makes exactly its partitions unavailable: a third of the sends", () => {
    const result = run("processCrash");
    const onB1 = partitionsOn(result, "b1");
    expect(onB1).toEqual(["t-0", "t-3"]);
    const outage = outageByPartition(result);
    let sent = 0;
    let unacknowledged = 0;
    for (const [partition, counts] of outage) {
      sent += counts.sent;
      unacknowledged += counts.sent - counts.acked;
      if (onB1.includes(partition)) expect(counts.acked, partition).toBe(0);
      else expect(counts.acked / counts.sent, partition).toBeGreaterThan(0.99);
    }
    console.log(`C8, b1 process crash: ${unacknowledged} of ${sent} sends during the outage unacknowledged (${((100 * unacknowledged) / sent).toFixed(1)}%); b1 led ${onB1.length} of ${outage.size} partitions`);
    expect(unacknowledged / sent).toBeGreaterThan(0.32);
    expect(unacknowledged / sent).toBeLessThan(0.35);
    // The disk survived a process crash: once b1 is back nothing acknowledged is missing.
    expect(result.checks.find((check) => check.check === "lost")!.ok).toBe(true);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("a broker machine that loses power loses what it acknowledged: a third of the data, all from its partitions", () => {
    const result = run("powerLoss");
    const onB1 = partitionsOn(result, "b1");
    const lost = result.checks.find((check) => check.check === "lost")!;
    expect(lost.ok).toBe(false);
    // What the final read found, after healing: the committed log of every partition.
    const readBack = new Set<number>();
    for (const event of result.history.events) {
      if (event.type === "deliver" && event.group === FINAL_READ_GROUP) for (let k = 0; k < event.count; k++) readBack.add(event.idFirst + k);
    }
    // Acknowledged before the power loss, per partition, and how many of those are gone.
    const ackedBefore = new Map<string, number[]>();
    for (const event of result.history.events) {
      if (event.type !== "send-result" || event.outcome !== "ok" || event.timeNs >= FAULT_AT_NS) continue;
      const ids = ackedBefore.get(event.stream) ?? [];
      for (let k = 0; k < event.count; k++) ids.push(event.idFirst + k);
      ackedBefore.set(event.stream, ids);
    }
    let total = 0;
    let gone = 0;
    for (const [partition, ids] of ackedBefore) {
      const missingHere = ids.filter((id) => !readBack.has(id)).length;
      total += ids.length;
      gone += missingHere;
      if (onB1.includes(partition)) expect(missingHere / ids.length, partition).toBeGreaterThan(0.99);
      else expect(missingHere, partition).toBe(0);
    }
    console.log(`C8, b1 power loss: ${gone} of ${total} messages acknowledged before it are gone (${((100 * gone) / total).toFixed(1)}%), all from ${onB1.join(", ")}`);
    expect(gone / total).toBeGreaterThan(0.32);
    expect(gone / total).toBeLessThan(0.35);
  });
});
