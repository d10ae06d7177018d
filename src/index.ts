/**
 * mqsim as a library: load or build a scenario (Kafka or RabbitMQ), run it with a seed, get the
 * history, metrics and verdicts, and write your own properties with the
 * fast-check arbitraries for fault schedules and workloads.
 *
 * ```ts
 * import fc from "fast-check";
 * import { faultScheduleArbitrary, presetDocument, runScenario, validateScenario } from "mqsim";
 * ```
 */
export { loadScenarioText, validateScenario, formatProblems, type ScenarioLoad, type ScenarioProblem } from "./scenario/load.js";
export type { Scenario, ScenarioInput } from "./scenario/schema.js";
export type { KafkaScenario } from "./systems/kafka/scenario-schema.js";
export type { RabbitScenario } from "./systems/rabbitmq/scenario-schema.js";
export { runScenario, summarize, requiredChecks, DEFAULT_SAFETY_CHECKS, type ScenarioRun } from "./scenario/run-scenario.js";
export { kafkaRunSpecOf } from "./systems/kafka/scenario-spec.js";
export { rabbitRunSpecOf, RABBIT_DEFAULT_SAFETY_CHECKS } from "./systems/rabbitmq/scenario-spec.js";
export { checkScenario, type CheckScenarioOptions } from "./scenario/check-scenario.js";
export { PRESETS, presetNamed, type Preset } from "./scenario/presets.js";
export { producerWorkloadArbitrary, consumerGroupArbitrary } from "./scenario/arbitraries.js";
export { runKafka, failedChecks, type KafkaRunSpec, type KafkaRunResult } from "./systems/kafka/run.js";
export { KAFKA_ANOMALIES, anomalyProperty, anomalyRunSpec, type KafkaAnomaly } from "./systems/kafka/anomalies.js";
export { runRabbitMq, type RabbitRunSpec, type RabbitRunResult } from "./systems/rabbitmq/run.js";
export { History, type HistoryEvent, type SendOutcome } from "./clients/history.js";
export * from "./checks/index.js";
export { faultScheduleArbitrary, partitionArbitrary, type FaultScheduleOptions } from "./faults/arbitrary.js";
export { describeFault, type Fault, type FaultSchedule, type TimedFault } from "./faults/fault.js";
export { searchFaults, describeCounterexample, type FaultSearchResult, type Counterexample } from "./faults/search.js";
export type { RunSummary, Verdict } from "./report/run-summary.js";
export type { SweepPoint, SweepSummary } from "./report/sweep-summary.js";
export { planSweep, type SweepPlan, type PlanOptions } from "./sweep/plan.js";
export { runSweep, type SweepRunOptions, type SweepRunResult } from "./sweep/run-sweep.js";
export { runSweepPoint } from "./sweep/run-point.js";
export { writeRunReport } from "./report/write-run-report.js";

/** A preset's scenario document (plain data), to copy and change in code. */
export function presetDocument(name: string): Record<string, unknown> {
  const preset = presetNamedOrThrow(name);
  return structuredClone(preset.document);
}

import { presetNamed as findPreset } from "./scenario/presets.js";

function presetNamedOrThrow(name: string) {
  const preset = findPreset(name);
  if (preset === undefined) throw new Error(`no preset named ${JSON.stringify(name)}`);
  return preset;
}
