/** RabbitMQ as a system of the product layer (src/run/system.ts). */
import { compareStrings } from "../../kernel/index.js";
import type { RunSummary } from "../../report/run-summary.js";
import type { SystemModel } from "../../run/system.js";
import { worldCounters } from "../../world/world-counters.js";
import { publisherNodeNames, rabbitConsumerNodeNames, rabbitScenarioNodeNames, rabbitScenarioSchema, type RabbitScenario } from "./scenario-schema.js";
import { estimateRabbitRun } from "./run-estimate.js";
import { RABBITMQ_PRESETS } from "./presets.js";
import { RABBIT_ANOMALIES } from "./anomalies.js";
import { RABBIT_DEFAULT_SAFETY_CHECKS, rabbitRunSpecOf } from "./scenario-spec.js";
import { CLIENT_TRAFFIC } from "./client-connection.js";
import { CLUSTER_TRAFFIC } from "./node-link.js";
import type { RabbitBroker } from "./broker.js";
import { REPLICATION_KINDS } from "./protocol.js";
import { runRabbitMq, type RabbitRunResult, type RabbitRunSpec } from "./run.js";
import { nodeThreads } from "./threads.js";

export const rabbitSystem = {
  name: "rabbitmq",
  displayName: "RabbitMQ",
  scenarioSchema: rabbitScenarioSchema,
  estimateRun: estimateRabbitRun,
  presets: RABBITMQ_PRESETS,
  anomalies: RABBIT_ANOMALIES,
  defaultSafetyChecks: RABBIT_DEFAULT_SAFETY_CHECKS,
  runSpecOf: (scenario, seed) => rabbitRunSpecOf(scenario, seed),
  run: runRabbitMq,
  facts: (spec, result) => ({
    serverNodes: result.cluster.nodeNames,
    nodeKinds: result.cluster.world.nodes.map((node) => ({ name: node.name, kind: result.cluster.nodeNames.includes(node.name) ? "rabbitmq node" : "client" })),
    clientMessageBytes: spec.publishers.map((p) => [p.name, p.messageBytes] as const),
    threads: nodeThreads(result.cluster.brokers),
    interNode: (bytes, ackedBytes) => interNode(result.cluster.brokers, bytes, ackedBytes),
    world: worldCounters(result.cluster.world),
  }),
  offeredLoad: (scenario) => scenario.publishers,
  keyNumbers: (summary) => keyNumbers(summary),
  faultTargets: (scenario) => {
    const nodeNames = [...rabbitScenarioNodeNames(scenario), ...publisherNodeNames(scenario).flat(), ...rabbitConsumerNodeNames(scenario).flat()];
    return { nodeNames, partitionNodeNames: nodeNames, trafficClasses: [CLUSTER_TRAFFIC, CLIENT_TRAFFIC] };
  },
} as const satisfies SystemModel<RabbitScenario, RabbitRunSpec, RabbitRunResult>;

/** Publishes refused (reject-publish, alarms) and the bytes between nodes per acknowledged byte: what tells RabbitMQ's designs apart. */
function keyNumbers(summary: RunSummary): string[] {
  const parts: string[] = [];
  if (summary.messages.failed > 0) parts.push(`${summary.messages.failed.toLocaleString("en-US")} publish${summary.messages.failed === 1 ? "" : "es"} refused`);
  const inter = summary.interNode;
  if (inter !== undefined && inter.bytes > 0) {
    const replication = (inter.replicationPerAckedByte ?? 0) > 0 ? `, replication ${(inter.replicationPerAckedByte ?? 0).toFixed(2)}` : "";
    parts.push(`inter-node ${inter.perAckedByte.toFixed(2)} B per acked B${replication}`);
  }
  return parts;
}

const REPLICATION = new Set<string>(REPLICATION_KINDS);

/** Inter-node bytes by message kind, and the part that is replication (as opposed to pull-through and metadata). */
function interNode(brokers: ReadonlyMap<string, RabbitBroker>, bytes: number, ackedBytes: number): NonNullable<RunSummary["interNode"]> {
  const per = (part: number): number => (ackedBytes > 0 ? part / ackedBytes : 0);
  const byKind = new Map<string, number>();
  for (const broker of brokers.values()) for (const [kind, sent] of broker.wireBytesSentByKind) byKind.set(kind, (byKind.get(kind) ?? 0) + sent);
  const kinds = [...byKind].map(([kind, sent]) => ({ kind, bytes: sent })).sort((a, b) => b.bytes - a.bytes || compareStrings(a.kind, b.kind));
  const replicationBytes = kinds.reduce((sum, entry) => sum + (REPLICATION.has(entry.kind) ? entry.bytes : 0), 0);
  return { bytes, perAckedByte: per(bytes), replicationBytes, replicationPerAckedByte: per(replicationBytes), byKind: kinds };
}
