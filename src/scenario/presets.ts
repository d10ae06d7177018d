/**
 * Built-in scenarios, runnable by name (`mqsim run k3`, `mqsim list`): the
 * seed tour's claims (../shared/mission.md), the Kafka rows of the anomaly
 * table with their safe counterparts, and the RabbitMQ claims and rows
 * (rabbitmq-presets.ts). Each is an ordinary scenario document,
 * so `mqsim show <preset>` prints YAML a user can copy and edit.
 *
 * The anomaly presets are generated from src/systems/kafka/anomalies.ts (the
 * same cluster, workload and fixed named fault schedule the property suite
 * uses), so a preset and its test cannot drift apart.
 */
import { parse as parseYaml } from "yaml";
import type { TimedFault } from "../faults/fault.js";
import { describeKinds, FAULT_KINDS, type FaultKind } from "../faults/fault-kinds.js";
import { SAFETY_CLAIMS } from "./preset-claims.js";
import { anomalyRunSpec, KAFKA_ANOMALIES, type KafkaAnomaly } from "../systems/kafka/anomalies.js";
import type { KafkaRunSpec } from "../systems/kafka/run.js";
import { HAND_WRITTEN_PRESETS, type PresetDocument } from "./preset-documents.js";
import { RABBITMQ_PRESETS } from "./rabbitmq-presets.js";
import type { Verdict } from "../report/run-summary.js";

export interface Preset {
  name: string;
  /** The claim or anomaly it shows (C8, K3, …). */
  claim: string;
  title: string;
  /** The scenario document (what a YAML file would hold). */
  document: Record<string, unknown>;
  /** What a run must conclude: the unsafe settings fail a check, the safe ones pass. */
  expect: Verdict;
  /**
   * For a safe preset: the kinds of fault it is safe against (what `mqsim
   * check` searches by default), each checked by a search in
   * presets-safety.test.ts.
   */
  survives?: readonly FaultKind[];
  /** Why it is not safe against the other kinds, in a phrase. */
  notSafeAgainst?: string;
}

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

const fromYaml = ({ yaml, ...preset }: PresetDocument): Preset => ({ ...preset, document: parseYaml(yaml) as Record<string, unknown> });

/** A safe preset with what it claims to survive: in its fields, and said in its description (what `mqsim show` prints). */
function withClaim(preset: Preset): Preset {
  const claim = SAFETY_CLAIMS[preset.name];
  if (claim === undefined) return preset;
  const missing = FAULT_KINDS.filter((kind) => !claim.survives.includes(kind));
  const said = `Safe against ${describeKinds(claim.survives)}${missing.length === 0 ? "." : `; not against ${describeKinds(missing)}: ${claim.notSafeAgainst ?? ""}.`}`;
  const description = typeof preset.document["description"] === "string" ? `${preset.document["description"]} ${said}` : said;
  return { ...preset, survives: claim.survives, ...(claim.notSafeAgainst === undefined ? {} : { notSafeAgainst: claim.notSafeAgainst }), document: { ...preset.document, description } };
}

export const PRESETS: readonly Preset[] = [
  ...HAND_WRITTEN_PRESETS.map(fromYaml),
  ...KAFKA_ANOMALIES.flatMap((anomaly) => [anomalyPreset(anomaly, "unsafe"), anomalyPreset(anomaly, "safe")]),
  ...RABBITMQ_PRESETS.map(fromYaml),
].map(withClaim);

export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((preset) => preset.name === name);
}
