/**
 * Keeps the CPU calibration honest (src/systems/kafka/cpu-costs.ts,
 * reports/calibration.md): Kreps 2014's test 1 (no replication) and test 3
 * (acks=all) on his setup, shortened. A change to the model that moves these
 * outside the issue's tolerance (±35% absolute, ±20% on the ratio) fails here
 * before it reaches a report.
 */
import { describe, expect, it } from "vitest";
import { History } from "../../history/history.js";
import { Kernel } from "../../kernel/index.js";
import { DISK_PROFILES, type DiskProfile } from "../../world/disk-profile.js";
import { buildKafkaCluster } from "./cluster.js";
import type { KafkaProducerConfig } from "./config.js";
import { ProducerDriver } from "./producer-workload.js";

const JBOD6: DiskProfile = { ...DISK_PROFILES.hdd, name: "jbod6", writeBandwidthBytesPerSec: 6 * DISK_PROFILES.hdd.writeBandwidthBytesPerSec, switchCostNs: 0 };

function recordsPerSec(replicationFactor: number, config: Partial<KafkaProducerConfig>): number {
  const runNs = 2e9;
  const kernel = new Kernel({ seed: 2014, budgets: { eventsMax: 50_000_000, timeNsMax: runNs } });
  const cluster = buildKafkaCluster(kernel, { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor }], config: {}, disk: JBOD6, network: { nic: { egressBytesPerSec: 125_000_000 } }, clients: ["p1"] });
  const history = new History();
  cluster.world.install("p1", new ProducerDriver(cluster.world, { name: "p1", topic: "t", partitions: 6, messagesPerSecond: 5_000_000, messagesPerSend: 10, bytesPerMessage: 100, config }, cluster.brokerNames, history, runNs));
  cluster.world.boot();
  kernel.scheduler.run({ untilNs: runNs });
  let acked = 0;
  for (const event of history.events) if (event.type === "send-result" && event.outcome === "ok" && event.timeNs >= 1e9) acked += event.count;
  return acked;
}

describe("kafka: the CPU calibration against Kreps 2014 holds", () => {
  it("test 1 and test 3 within ±35% of the published records/s, their ratio within ±20%", () => {
    const noReplication = recordsPerSec(1, { acks: 1, "batch.size": 8196 });
    const acksAll = recordsPerSec(3, { acks: "all", "batch.size": 64_000 });
    console.log(`calibration: test 1 ${noReplication} rec/s (821,557), test 3 ${acksAll} rec/s (421,823)`);
    expect(Math.abs(noReplication / 821_557 - 1)).toBeLessThanOrEqual(0.35);
    expect(Math.abs(acksAll / 421_823 - 1)).toBeLessThanOrEqual(0.35);
    expect(Math.abs(acksAll / noReplication / 0.513 - 1)).toBeLessThanOrEqual(0.2);
  });
});
