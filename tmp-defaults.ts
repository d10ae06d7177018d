import { runKafka } from "./src/systems/kafka/run.js";
const spec = {
  seed: 20261122,
  cluster: { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor: 3 }], config: { "min.insync.replicas": 2 } },
  producers: [{ name: "p1", topic: "t", partitions: 6, messagesPerSecond: 50_000, messagesPerSend: 50, bytesPerMessage: 1024, config: { "linger.ms": 5 } }],
  faults: [], faultPhaseNs: 60e9, convergeNsMax: 10e9, eventsMax: 500_000_000, checks: { checks: [] },
} as any;
runKafka({ ...spec, faultPhaseNs: 10e9 });
const t = performance.now();
const r = runKafka(spec);
console.log(((performance.now() - t) / 1000).toFixed(2), "s wall", r.eventsFired ?? "");
