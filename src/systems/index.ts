/**
 * The systems mqsim models: the one list of them. Code outside a system's
 * folder reaches it through here and the interface of src/run/system.ts.
 */
import { registryOf } from "../run/registry.js";
import { kafkaSystem } from "./kafka/system.js";
import { rabbitSystem } from "./rabbitmq/system.js";
import { rocketSystem } from "./rocketmq/system.js";
import { activeMqSystem } from "./activemq/system.js";

const registry = registryOf([kafkaSystem, rabbitSystem, rocketSystem, activeMqSystem] as const);

export const SYSTEMS = registry.systems;

export type SystemName = (typeof SYSTEMS)[number]["name"];

/** The system a scenario names; a name no system has is a bug (the schema only accepts listed systems). */
export const systemNamed = registry.systemNamed;

// Each system's own library API, re-exported by src/index.ts: its scenario type, run spec, run and anomalies.
export type { KafkaScenario } from "./kafka/scenario-schema.js";
export { kafkaRunSpecOf } from "./kafka/scenario-spec.js";
export { runKafka, failedChecks, type KafkaRunSpec, type KafkaRunResult } from "./kafka/run.js";
export { KAFKA_DEFAULT_SAFETY_CHECKS } from "./kafka/system.js";
export { KAFKA_ANOMALIES, anomalyProperty, anomalyRunSpec, type KafkaAnomaly } from "./kafka/anomalies.js";
export type { RabbitScenario } from "./rabbitmq/scenario-schema.js";
export { rabbitRunSpecOf, RABBIT_DEFAULT_SAFETY_CHECKS } from "./rabbitmq/scenario-spec.js";
export { runRabbitMq, type RabbitRunSpec, type RabbitRunResult } from "./rabbitmq/run.js";
export type { RocketScenario } from "./rocketmq/scenario-schema.js";
export { rocketRunSpecOf, ROCKET_DEFAULT_SAFETY_CHECKS } from "./rocketmq/scenario-spec.js";
export { runRocketMq, type RocketRunSpec, type RocketRunResult } from "./rocketmq/run.js";
export type { ActiveMqScenario } from "./activemq/scenario-schema.js";
export { activeMqRunSpecOf, ACTIVEMQ_DEFAULT_SAFETY_CHECKS } from "./activemq/scenario-spec.js";
export { runActiveMq, type ActiveMqRunSpec, type ActiveMqRunResult } from "./activemq/run.js";
