/**
 * Kafka's built-in scenarios: the seed tour's hand-written presets
 * (preset-documents.ts) and the anomaly table's rows with their safe
 * counterparts, generated from anomalies.ts (the same cluster, workload and
 * fixed named fault schedule the property suite uses), so a preset and its
 * test cannot drift apart.
 *
 * What each safe preset is safe against was found by searching it with each
 * kind of fault alone (mqsim check --faults <kind> --runs 200, search seed
 * 42, 2026-12-06).
 */
import type { TimedFault } from "../../faults/fault.js";
import { presetFromYaml, withClaim, type Preset, type SafetyClaim } from "../../scenario/preset.js";
import { anomalyRunSpec, KAFKA_ANOMALIES, type KafkaAnomaly } from "./anomalies.js";
import { HAND_WRITTEN_PRESETS } from "./preset-documents.js";
import type { KafkaRunSpec } from "./run.js";

const KAFKA_REPLICATED: SafetyClaim = {
  survives: ["crash", "pause", "partition"],
  notSafeAgainst:
    "Kafka acknowledges from the page cache (no fsync by default), so a power loss of the last in-sync replica loses acknowledged writes (KIP-966); log.flush.interval.messages=1 closes it",
};

const KAFKA_SAFETY_CLAIMS: Readonly<Record<string, SafetyClaim>> = {
  "c9-replication-failover": KAFKA_REPLICATED,
  "k1-safe": KAFKA_REPLICATED,
  "k2-safe": KAFKA_REPLICATED,
  "k3-safe": KAFKA_REPLICATED,
  "k4-safe": KAFKA_REPLICATED,
  "k12-safe": KAFKA_REPLICATED,
};

function anomalyPreset(anomaly: KafkaAnomaly, setting: "unsafe" | "safe"): Preset {
  const spec = anomalyRunSpec(anomaly, setting, anomaly.named.seed, anomaly.named.faults);
  const name = `${anomaly.id.toLowerCase()}${setting === "safe" ? "-safe" : ""}`;
  const title = setting === "unsafe" ? `${anomaly.title}: ${anomaly.effect}` : `${anomaly.id}'s safe counterpart: the same faults, nothing lost`;
  return { name, claim: anomaly.id, title, document: documentOf(spec, name, title, anomaly.checks), expect: setting === "unsafe" ? "safety-failed" : "ok" };
}

/** A run spec written back as a scenario document, with consumer nodes renamed to the scenario's `<group>-<n>`. */
function documentOf(spec: KafkaRunSpec, name: string, description: string, checks: readonly string[]): Record<string, unknown> {
  const consumers = spec.consumers ?? [];
  const renamed = new Map<string, string>();
  const groups = [...new Set(consumers.map((consumer) => consumer.group))];
  for (const group of groups) consumers.filter((consumer) => consumer.group === group).forEach((consumer, k) => renamed.set(consumer.name, `${group}-${k + 1}`));
  const rename = (node: string): string => renamed.get(node) ?? node;
  return {
    system: "kafka",
    name,
    description,
    seed: spec.seed,
    duration: `${spec.faultPhaseNs}ns`,
    cluster: { brokers: spec.cluster.brokers, ...(spec.cluster.disk === undefined ? {} : { disk: spec.cluster.disk }) },
    config: spec.cluster.config ?? {},
    topics: spec.cluster.topics,
    producers: spec.producers.map((producer) => ({
      name: producer.name,
      topic: producer.topic,
      rate: `${producer.messagesPerSecond}/s`,
      messagesPerSend: producer.messagesPerSend,
      messageSize: `${producer.bytesPerMessage}B`,
      config: producer.config,
    })),
    consumers: groups.map((group) => {
      const members = consumers.filter((consumer) => consumer.group === group);
      const { "mqsim.commit": commit, "mqsim.idempotent": idempotent, "mqsim.processing.ms": processingMs, ...config } = members[0]!.config;
      return { group, count: members.length, topics: members[0]!.topics, processingTime: `${processingMs ?? 1}ms`, commit: commit ?? "auto", idempotent: idempotent ?? false, config };
    }),
    faults: spec.faults.map((fault) => faultDocument(fault, rename)),
    checks: [...checks],
    budgets: { convergeWithin: `${spec.convergeNsMax}ns` },
  };
}

function faultDocument(fault: TimedFault, rename: (node: string) => string): Record<string, unknown> {
  const { atNs, ...rest } = fault;
  const document: Record<string, unknown> = { at: `${atNs}ns`, ...rest };
  if ("node" in rest) document["node"] = rename(rest.node);
  return document;
}

export const KAFKA_PRESETS: readonly Preset[] = [
  ...HAND_WRITTEN_PRESETS.map(presetFromYaml),
  ...KAFKA_ANOMALIES.flatMap((anomaly) => [anomalyPreset(anomaly, "unsafe"), anomalyPreset(anomaly, "safe")]),
].map((preset) => withClaim(preset, KAFKA_SAFETY_CLAIMS));
