import { describe, expect, it } from "vitest";
import type { QueueDeclaration } from "./config.js";
import { ClusterAlarms, diskCheckIntervalNs } from "./resource-alarms.js";
import { runRabbitMq, type RabbitRunResult } from "./run.js";
import { count, marked, publisher, rabbitSpec, SECOND } from "./rabbitmq-scenarios.test-support.js";

/** Messages confirmed to publishers within [from, to). */
function confirmedBetween(result: RabbitRunResult, fromNs: number, toNs: number): number {
  let acked = 0;
  for (const e of result.history.events) if (e.type === "send-result" && e.outcome === "ok" && e.timeNs >= fromNs && e.timeNs < toNs) acked += e.count;
  return acked;
}

describe("rabbit_disk_monitor's check interval", () => {
  it("assumes the disk fills at 250 MB/s: twice the time to reach the limit, between 100 ms and 10 s; 10 s while alarmed", () => {
    const limit = 50_000_000;
    expect(diskCheckIntervalNs(limit + 1_000_000_000, limit, false)).toBe(8_000_000_000);
    expect(diskCheckIntervalNs(1e15, limit, false)).toBe(10_000_000_000);
    expect(diskCheckIntervalNs(limit + 1_000, limit, false)).toBe(100_000_000);
    expect(diskCheckIntervalNs(0, limit, true)).toBe(10_000_000_000);
  });
});

describe("rabbit_alarm: alarms are cluster-wide", () => {
  it("any node's alarm blocks; a peer's alarms are forgotten at its nodedown", () => {
    const alarms = new ClusterAlarms();
    expect(alarms.set("r2", "disk", true)).toBe(true);
    expect(alarms.set("r1", "memory", true)).toBe(false);
    expect(alarms.set("r1", "memory", false)).toBe(false);
    expect(alarms.isBlocking).toBe(true);
    expect(alarms.forget("r2")).toBe(true);
    expect(alarms.isBlocking).toBe(false);
  });
});

describe("RabbitMQ resource alarms block publishers", () => {
  it("disk: a full disk on one node blocks publishing on every node until the next check after it has room again; nothing confirmed is lost", () => {
    const queues: QueueDeclaration[] = [{ name: "q", type: "classic", durable: true, node: "r1" }];
    const result = runRabbitMq(
      rabbitSpec({
        cluster: { nodes: 3, queues },
        // The publisher and its queue are on r1, whose disk is fine: only the cluster-wide alarm stops it.
        publishers: [publisher({ ratePerSec: 500, hosts: ["r1"] })],
        faults: [{ atNs: 2 * SECOND, verb: "fullDisk", node: "r3" }],
        faultPhaseNs: 25 * SECOND,
        convergeNsMax: 40 * SECOND,
      }),
    );
    expect(marked(result, "rabbit.alarm.disk")).toBeGreaterThan(0);
    // r3's monitor checks every 10 s while free space is far from the limit: it sees the full disk within 10 s.
    expect(confirmedBetween(result, 0, 2 * SECOND)).toBeGreaterThan(800);
    expect(confirmedBetween(result, 13 * SECOND, 25 * SECOND)).toBe(0);
    expect(result.liveness.isConverged).toBe(true);
    expect(count(result, "lost", "lost")).toBe(0);
  });

  it("memory: Ra's WAL tables past vm_memory_high_watermark block the publisher at about that many bytes", () => {
    const result = runRabbitMq(
      rabbitSpec({
        // 8 MiB of RAM, 4.x's watermark 0.6: the alarm goes off past ~5 MB of WAL (no roll-over before 512 MiB).
        cluster: { nodes: 1, memoryBytes: 8 * 1_048_576, queues: [{ name: "q", type: "quorum", durable: true, node: "r1" }], config: { version: "4.x" } },
        publishers: [publisher({ ratePerSec: 2_000, messageBytes: 1_024, inFlightMax: 200 })],
        faultPhaseNs: 10 * SECOND,
        convergeNsMax: 5 * SECOND,
        checks: { checks: [] },
      }),
    );
    expect(marked(result, "rabbit.alarm.memory")).toBeGreaterThan(0);
    const confirmed = confirmedBetween(result, 0, 20 * SECOND);
    // 0.6 × 8 MiB ÷ 1 KiB ≈ 4,900 messages, plus what a 1 s check lets through; 20,000 were offered.
    expect(confirmed).toBeGreaterThan(4_000);
    expect(confirmed).toBeLessThan(7_500);
  });
});
