/**
 * mqsim as a library: load or build a scenario (of any system of src/systems/index.ts), run it with a seed, get the
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
export { runScenario, summarize, requiredChecks, type ScenarioRun } from "./scenario/run-scenario.js";
export { checkScenario, type CheckScenarioOptions } from "./scenario/check-scenario.js";
export { PRESETS, presetNamed, type Preset } from "./scenario/presets.js";
export { SYSTEMS, systemNamed, type SystemName } from "./systems/index.js";
export type { SystemModel, SystemRunFacts, SystemRunResult, SystemRunSpec } from "./run/system.js";
// Each system's own library API (its scenario type, run spec, run, anomalies), as the registry exports it.
export {
  kafkaRunSpecOf,
  runKafka,
  failedChecks,
  KAFKA_DEFAULT_SAFETY_CHECKS,
  KAFKA_ANOMALIES,
  anomalyProperty,
  anomalyRunSpec,
  rabbitRunSpecOf,
  runRabbitMq,
  RABBIT_DEFAULT_SAFETY_CHECKS,
  type KafkaScenario,
  type KafkaRunSpec,
  type KafkaRunResult,
  type KafkaAnomaly,
  type RabbitScenario,
  type RabbitRunSpec,
  type RabbitRunResult,
} from "./systems/index.js";
export { producerWorkloadArbitrary, consumerGroupArbitrary } from "./scenario/arbitraries.js";
export { History, type HistoryEvent, type SendOutcome } from "./history/history.js";
export {
  checkDirtyReads,
  checkDivergence,
  checkDuplicatedEffects,
  checkDuplicated,
  formatCheckResult,
  formatCheckResults,
  checkInconsistentOffsets,
  checkLostEffects,
  checkLost,
  NO_GROUP,
  checkMonotonic,
  checkReordered,
  runChecks,
  checkUnavailability,
  UNAVAILABLE_OPS,
  checkUnexpected,
  VIOLATIONS_KEPT,
  CHECKER_NAMES,
  type InconsistentOffsetsOptions,
  type FinalLog,
  type LogEntry,
  type ReplicaSnapshot,
  type LostEffectsOptions,
  type LostOptions,
  type MonotonicOptions,
  type CheckInputs,
  type RunChecksOptions,
  type UnavailabilityOptions,
  type UnavailabilityResult,
  type UnavailabilityWindow,
  type UnavailableOp,
  type CheckerName,
  type CheckName,
  type CheckResult,
  type IdRange,
  type Violation,
} from "./checks/index.js";
export { faultScheduleArbitrary, partitionArbitrary, type FaultScheduleOptions } from "./faults/arbitrary.js";
export { assertChecksHold, scenarioFaults } from "./scenario/library-helpers.js";
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
// The kernel, for models of your own: the scheduler, named RNG streams, distributions, the trace digest (README: "The kernel on its own").
export { Kernel, type KernelOptions, Rng, RngStream, distribution, type Distribution, type DistributionSpec, Digest64, Trace, type EventFn, type EventHandle, runUntilConverged, type Liveness } from "./kernel/index.js";
export { NS_PER_MS, NS_PER_SEC, NS_PER_US, type DurationNs, type TimeNs } from "./kernel/time.js";
