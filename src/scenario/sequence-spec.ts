/**
 * What every system's run spec takes from its scenario the same way (the
 * shared run sequence's part, src/run/run-sequence.ts): the seed, the fault
 * schedule, the fault phase, and the budgets.
 */
import type { RunSequenceSpec } from "../run/run-sequence.js";
import { historyRecordsMaxFor } from "./budget-check.js";
import { faultScheduleOf } from "./fault-schedule-spec.js";
import type { ScenarioFault } from "./schema-parts.js";

interface SequencedScenario {
  duration: number;
  faults: readonly ScenarioFault[];
  budgets: { convergeWithin: number; maxEvents: number; maxMemory: number };
}

export function runSequenceSpecOf(scenario: SequencedScenario, seed: number | string): RunSequenceSpec {
  return {
    seed,
    faults: faultScheduleOf(scenario),
    faultPhaseNs: scenario.duration,
    convergeNsMax: scenario.budgets.convergeWithin,
    eventsMax: scenario.budgets.maxEvents,
    historyRecordsMax: historyRecordsMaxFor(scenario.budgets.maxMemory),
  };
}
