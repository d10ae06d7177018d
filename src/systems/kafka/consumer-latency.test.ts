import { describe, expect, it } from "vitest";
import { deliveryLatenciesNs } from "../../clients/delivery-latency.js";
import { runKafka } from "./run.js";

/** Send-to-delivery latency of every record the consumer got after it settled (from 2 s), in ms. */
function deliveryLatenciesMs(seed: number): number[] {
  const result = runKafka({
    seed,
    cluster: { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor: 3 }], config: {} },
    producers: [{ name: "p1", topic: "t", partitions: 6, messagesPerSecond: 500, messagesPerSend: 1, bytesPerMessage: 100, config: { acks: 1, "linger.ms": 0 } }],
    consumers: [{ name: "c1", group: "g", topics: ["t"], config: {} }],
    faults: [],
    faultPhaseNs: 4e9,
    convergeNsMax: 10e9,
    checks: { checks: [] },
  });
  return deliveryLatenciesNs(result.history, "c1", 2e9).map((latencyNs) => latencyNs / 1e6);
}

describe("consumer fetch pipelining", () => {
  // Before the fix, the fetcher sent its next session fetch the moment a response arrived, leaving
  // out a partition whose records were still buffered (the application busy with another one): that
  // partition then waited behind a fetch for its broker's other partition, up to fetch.max.wait.ms,
  // for every record — on some seeds one partition of six ran 7.7 ms behind, with a 496 ms worst case.
  it.each([1, 2, 3, 4, 5, 6])("delivers every record within 2 ms of its send at 500 msg/s over 6 partitions (seed %i)", (seed) => {
    const latencies = deliveryLatenciesMs(seed);
    expect(latencies.length).toBeGreaterThan(800);
    expect(Math.max(...latencies)).toBeLessThan(2);
  });
});
