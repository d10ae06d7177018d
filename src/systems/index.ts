/**
 * The systems mqsim models: the one list of them. Code outside a system's
 * folder reaches it through here and the interface of src/run/system.ts.
 */
import type { SystemModel, SystemRunResult, SystemRunSpec } from "../run/system.js";
import { kafkaSystem } from "./kafka/system.js";
import { rabbitSystem } from "./rabbitmq/system.js";

export const SYSTEMS = [kafkaSystem, rabbitSystem] as const;

export type SystemName = (typeof SYSTEMS)[number]["name"];

/** The system a scenario names; a name no system has is a bug (the schema only accepts listed systems). */
export function systemNamed(name: string): SystemModel<unknown, SystemRunSpec, SystemRunResult> {
  const system = SYSTEMS.find((candidate) => candidate.name === name);
  if (system === undefined) throw new Error(`no system named ${JSON.stringify(name)} (known: ${SYSTEMS.map((s) => s.name).join(", ")})`);
  return system as unknown as SystemModel<unknown, SystemRunSpec, SystemRunResult>;
}

// Each system's own library API, re-exported by src/index.ts: its scenario type, run spec, run and anomalies.
export type { KafkaScenario } from "./kafka/scenario-schema.js";
export { kafkaRunSpecOf } from "./kafka/scenario-spec.js";
export { runKafka, failedChecks, type KafkaRunSpec, type KafkaRunResult } from "./kafka/run.js";
export { KAFKA_DEFAULT_SAFETY_CHECKS } from "./kafka/system.js";
export { KAFKA_ANOMALIES, anomalyProperty, anomalyRunSpec, type KafkaAnomaly } from "./kafka/anomalies.js";
export type { RabbitScenario } from "./rabbitmq/scenario-schema.js";
export { rabbitRunSpecOf, RABBIT_DEFAULT_SAFETY_CHECKS } from "./rabbitmq/scenario-spec.js";
export { runRabbitMq, type RabbitRunSpec, type RabbitRunResult } from "./rabbitmq/run.js";
