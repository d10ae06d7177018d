import { describe, expect, it } from "vitest";
import { runScenario } from "../scenario/run-scenario.js";
import { utilisations } from "./bottleneck.js";
import { planSweep, pointScenario } from "./plan.js";
import { runSweepPoint } from "./run-point.js";

/**
 * Kafka on 1 Gbps NICs offered up to more than the wire takes (1 KiB at 60k
 * to 240k msg/s, RF 3), with two consumer groups that join just before the
 * workload ends: they read nearly everything after it, so the brokers'
 * NICs carry more bytes in the whole run than the wire could in the
 * workload's 2 s.
 */
const DOCUMENT = {
  system: "kafka",
  name: "overload",
  seed: 3,
  duration: "2s",
  cluster: { brokers: 3, nic: "1Gbps", disk: "nvme" },
  config: { "min.insync.replicas": 2 },
  topics: [{ name: "t", partitions: 6, replicationFactor: 3 }],
  producers: [{ topic: "t", rate: "60k/s", messagesPerSend: 10, messageSize: "1KiB", config: { acks: "1" } }],
  consumers: [
    { group: "billing", count: 3, topics: ["t"], processingTime: "10us", startAt: "1900ms" },
    { group: "audit", count: 3, topics: ["t"], processingTime: "10us", startAt: "1900ms" },
  ],
  sweep: { "producers[0].rate": ["60k/s", "120k/s", "240k/s"] },
};

describe("utilisation over the workload never exceeds 100%", () => {
  it("every point of an overloaded sweep names its resources at or under 100%, where bytes counted when queued (the old accounting) came out over it", () => {
    const planned = planSweep(DOCUMENT);
    if (!planned.ok) throw new Error(planned.message);
    let isOverQueuedCounting = false;
    for (const point of planned.plan.points) {
      const swept = runSweepPoint({ document: planned.plan.document, parameters: point.parameters, seed: point.seed });
      for (const match of (swept.bottleneck ?? "").matchAll(/(\d+)% of capacity/g)) expect(Number(match[1])).toBeLessThanOrEqual(100);
      const built = pointScenario(planned.plan.document, point.parameters);
      if (!built.ok) throw new Error(built.message);
      const { summary } = runScenario(built.scenario, point.seed);
      for (const used of utilisations(summary)) {
        // A thread's CPU counts the piece of work under way at the probe in full.
        expect(used.share, used.resource).toBeLessThanOrEqual(used.resource.endsWith("CPU") ? 1.001 : 1);
      }
      const wireBytesPerWorkload = 125_000_000 * 2;
      if (summary.traffic.byNode.some((node) => node.sentBytes > wireBytesPerWorkload)) isOverQueuedCounting = true;
    }
    expect(isOverQueuedCounting).toBe(true);
  }, 120_000);
});
