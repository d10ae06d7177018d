import { describe, expect, it } from "vitest";
import { History } from "../../history/history.js";
import { Kernel } from "../../kernel/index.js";
import { buildKafkaCluster } from "./cluster.js";
import type { KafkaProducerConfig } from "./config.js";
import { DEFAULT_CPU_COSTS } from "./cpu-costs.js";
import { ProducerDriver } from "./producer-workload.js";

/** One producer on a 3-broker cluster offering `perSecond` messages of 100 bytes; returns what it got acknowledged and its driver. */
function run(options: { perSecond: number; config: Partial<KafkaProducerConfig>; runNs: number; isolateAtNs?: number }) {
  const kernel = new Kernel({ seed: 5, budgets: { eventsMax: 50_000_000, timeNsMax: options.runNs } });
  const cluster = buildKafkaCluster(kernel, { brokers: 3, topics: [{ name: "t", partitions: 3, replicationFactor: 3 }], config: {}, clients: ["p1"] });
  const history = new History();
  const driver = new ProducerDriver(cluster.world, { name: "p1", topic: "t", partitions: 3, messagesPerSecond: options.perSecond, messagesPerSend: 10, bytesPerMessage: 100, config: options.config }, cluster.brokerNames, history, options.runNs);
  cluster.world.install("p1", driver);
  cluster.world.boot();
  if (options.isolateAtNs !== undefined) kernel.scheduler.at(options.isolateAtNs, () => cluster.world.partition({ kind: "isolate", nodes: ["p1"] }));
  kernel.scheduler.run({ untilNs: options.runNs });
  let acked = 0;
  let handedOver = 0;
  for (const event of history.events) {
    if (event.type === "send") handedOver += event.count;
    if (event.type === "send-result" && event.outcome === "ok") acked += event.count;
  }
  return { kernel, driver, acked, handedOver };
}

describe("kafka producer: CPU and buffer.memory", () => {
  it("one application thread gets at most one record per producerRecordNs through send(), however much is offered", () => {
    const { acked, driver } = run({ perSecond: 20_000_000, config: { acks: 1 }, runNs: 1e9 });
    const capPerSec = 1e9 / DEFAULT_CPU_COSTS.producerRecordNs;
    expect(acked).toBeLessThanOrEqual(capPerSec);
    expect(acked).toBeGreaterThan(0.5 * capPerSec);
    // The thread was busy all along: its CPU is close to the whole second.
    expect(driver.producer!.caller.cpuNs).toBeGreaterThan(0.9e9);
  });

  it("a full buffer.memory blocks send(); after max.block.ms the blocked records are given up, never handed over", () => {
    // Cut off from every broker at 1 s: batches cannot complete, so 64 KiB of 16 KiB batches fill the pool.
    const { kernel, handedOver } = run({
      perSecond: 100_000,
      config: { acks: 1, "buffer.memory": 65_536, "batch.size": 16_384, "max.block.ms": 2_000, "linger.ms": 0 },
      runNs: 6e9,
      isolateAtNs: 1e9,
    });
    expect(kernel.marks.count("kafka.producer.buffer-full")).toBeGreaterThan(0);
    expect(kernel.marks.count("kafka.producer.max-block-timeout")).toBeGreaterThan(0);
    // Without the pool the producer would have taken 500,000 records over 5 s of isolation; with it, what fits in 4 batches.
    const beforeIsolation = 100_000;
    expect(handedOver - beforeIsolation).toBeLessThan(4 * 160 + 10);
  });
});
