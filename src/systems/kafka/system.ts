/** Kafka as a system of the product layer (src/run/system.ts). */
import type { SystemModel } from "../../run/system.js";
import { worldCounters } from "../../world/world-counters.js";
import { kafkaRunSpecOf } from "./scenario-spec.js";
import { brokerNodeNames, consumerNodeNames, kafkaScenarioSchema, producerNodeNames, type KafkaScenario } from "./scenario-schema.js";
import { estimateKafkaRun } from "./run-estimate.js";
import { KAFKA_PRESETS } from "./presets.js";
import { KAFKA_ANOMALIES } from "./anomalies.js";
import { CONTROLLER_NODE } from "./cluster.js";
import { CONTROLLER_CLASS, DATA_CLASS } from "./protocol.js";
import { runKafka, type KafkaRunResult, type KafkaRunSpec } from "./run.js";
import { brokerThreads } from "./threads.js";
import { followerRecordBytes } from "./cluster-state.js";

/** Checks that decide a Kafka run's verdict when the scenario names none: the safety claims every queue makes. */
export const KAFKA_DEFAULT_SAFETY_CHECKS: readonly string[] = ["lost", "unexpected", "divergence", "dirty-read", "inconsistent-offsets"];

export const kafkaSystem = {
  name: "kafka",
  displayName: "Kafka",
  scenarioSchema: kafkaScenarioSchema,
  estimateRun: estimateKafkaRun,
  presets: KAFKA_PRESETS,
  anomalies: KAFKA_ANOMALIES,
  defaultSafetyChecks: KAFKA_DEFAULT_SAFETY_CHECKS,
  runSpecOf: (scenario, seed) => kafkaRunSpecOf(scenario, seed),
  run: runKafka,
  facts: (spec, result) => ({
    serverNodes: result.cluster.brokerNames,
    nodeKinds: result.cluster.world.nodes.map((node) => ({ name: node.name, kind: result.cluster.brokerNames.includes(node.name) ? "broker" : node.name === "controller" ? "controller" : "client" })),
    clientMessageBytes: spec.producers.map((p) => [p.name, p.bytesPerMessage] as const),
    threads: brokerThreads(result.cluster),
    interNode: (bytes, ackedBytes) => ({ bytes, perAckedByte: ackedBytes > 0 ? bytes / ackedBytes : 0 }),
    world: worldCounters(result.cluster.world),
    followerRecordBytes: followerRecordBytes(result.cluster),
  }),
  offeredLoad: (scenario) => scenario.producers,
  // The controller is never crashed (mqsim's controller is one immortal node), but cutting it off fences brokers.
  // Kafka's one-line summary needs nothing beyond the shared numbers (throughput, p99, loss, unavailability, backlog).
  keyNumbers: () => [],
  faultTargets: (scenario) => {
    const nodeNames = [...brokerNodeNames(scenario), ...producerNodeNames(scenario).flat(), ...consumerNodeNames(scenario).flat()];
    return { nodeNames, partitionNodeNames: [...nodeNames, CONTROLLER_NODE], trafficClasses: [DATA_CLASS, CONTROLLER_CLASS] };
  },
} as const satisfies SystemModel<KafkaScenario, KafkaRunSpec, KafkaRunResult>;
