/** Kafka as a system of the product layer (src/run/system.ts). */
import type { ThreadSummary } from "../../report/run-summary.js";
import type { SystemModel } from "../../run/system.js";
import { kafkaRunSpecOf } from "../../scenario/kafka-spec.js";
import type { KafkaScenario } from "../../scenario/schema.js";
import { runKafka, type KafkaRunResult, type KafkaRunSpec } from "./run.js";

/** Checks that decide a Kafka run's verdict when the scenario names none: the safety claims every queue makes. */
export const KAFKA_DEFAULT_SAFETY_CHECKS: readonly string[] = ["lost", "unexpected", "divergence", "dirty-read", "inconsistent-offsets"];

export const kafkaSystem: SystemModel<KafkaScenario, KafkaRunSpec, KafkaRunResult> = {
  name: "kafka",
  defaultSafetyChecks: KAFKA_DEFAULT_SAFETY_CHECKS,
  runSpecOf: (scenario, seed) => kafkaRunSpecOf(scenario, seed),
  run: runKafka,
  facts: (spec, result) => ({
    serverNodes: result.cluster.brokerNames,
    nodeKinds: result.cluster.world.nodes.map((node) => ({ name: node.name, kind: result.cluster.brokerNames.includes(node.name) ? "broker" : node.name === "controller" ? "controller" : "client" })),
    clientMessageBytes: spec.producers.map((p) => [p.name, p.bytesPerMessage] as const),
    threads: brokerThreads(result),
    interNode: (bytes, ackedBytes) => ({ bytes, perAckedByte: ackedBytes > 0 ? bytes / ackedBytes : 0 }),
  }),
};

/** Each running broker's request handler pool, busiest processor and busiest replica fetcher. */
function brokerThreads(result: KafkaRunResult): ThreadSummary[] {
  const threads: ThreadSummary[] = [];
  for (const [node, broker] of result.cluster.brokers) {
    if (!result.cluster.world.node(node).isProcessAlive) continue;
    const use = broker.cpuUse();
    threads.push({ node, thread: "request handlers", busyNs: use.handlerNs, count: use.handlerThreads });
    threads.push({ node, thread: "busiest processor", busyNs: use.processorNsMax, count: 1 });
    threads.push({ node, thread: "busiest replica fetcher", busyNs: use.fetcherNsMax, count: 1 });
  }
  return threads;
}
