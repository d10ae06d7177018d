import { describe, expect, it } from "vitest";
import { History } from "../../history/history.js";
import { Kernel } from "../../kernel/index.js";
import { buildKafkaCluster } from "./cluster.js";
import { ProducerDriver } from "./producer-workload.js";

/**
 * One broker on one spinning disk, producers offering 250 MB/s of 1 KiB
 * messages (acks=1), more than the disk's 137 MB/s: what the broker
 * acknowledges from 2 s to 4 s, in MB/s, and whether its writes blocked.
 */
function ackedMBps(partitions: number): { ackedMBps: number; throttled: number } {
  const runNs = 4e9;
  const names = ["p1", "p2"];
  const kernel = new Kernel({ seed: 3, budgets: { eventsMax: 50_000_000, timeNsMax: runNs } });
  const cluster = buildKafkaCluster(kernel, { brokers: 1, topics: [{ name: "t", partitions, replicationFactor: 1 }], config: {}, disk: "hdd", clients: names });
  const history = new History();
  for (const name of names) {
    const workload = { name, topic: "t", partitions, messagesPerSecond: 125_000_000 / 1024, messagesPerSend: 16, bytesPerMessage: 1024, config: { acks: 1 as const } };
    cluster.world.install(name, new ProducerDriver(cluster.world, workload, cluster.brokerNames, history, runNs));
  }
  cluster.world.boot();
  kernel.scheduler.run({ untilNs: runNs });
  let acked = 0;
  for (const event of history.events) if (event.type === "send-result" && event.outcome === "ok" && event.timeNs >= 2e9) acked += event.count;
  return { ackedMBps: (acked * 1024) / 2 / 1e6, throttled: cluster.world.disk("b1").stats().throttledWrites };
}

describe("kafka: a disk that cannot keep up slows the producers", () => {
  it("on one HDD the acknowledged rate is the disk's, and falls as partitions (files) multiply", () => {
    const few = ackedMBps(8);
    const many = ackedMBps(1024);
    console.log(`acked on hdd: P=8 ${few.ackedMBps.toFixed(1)} MB/s, P=1024 ${many.ackedMBps.toFixed(1)} MB/s`);
    // The broker's write()s blocked at the dirty limit, so it answered no faster than the disk writes...
    expect(few.throttled).toBeGreaterThan(0);
    expect(few.ackedMBps).toBeLessThan(140);
    expect(few.ackedMBps).toBeGreaterThan(100);
    // ...and with a file per partition the flusher seeks between more files for less data each.
    expect(many.ackedMBps).toBeLessThan(0.7 * few.ackedMBps);
  });
});
