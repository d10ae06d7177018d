/**
 * `mqsim check`: a property-based search over fault schedules for one
 * scenario of any registered system. fast-check generates schedules of crashes,
 * pauses, partitions (and, if asked, power losses) on the scenario's nodes
 * within its duration; each run must not fail a safety check; a failure is
 * shrunk to a minimal schedule and replays from (search seed, path).
 */
import type { FaultSchedule } from "../faults/fault.js";
import { DEFAULT_FAULT_KINDS, verbsOfKinds, type FaultKind } from "../faults/fault-kinds.js";
import { searchFaults, type FaultSearchResult } from "../faults/search.js";
import { formatCheckResults } from "../checks/format-check-results.js";
import { systemNamed } from "../systems/index.js";
import type { SystemRunResult } from "../run/system.js";
import { requiredChecks, summarize } from "./run-scenario.js";
import type { Scenario } from "./schema.js";

export interface CheckScenarioOptions {
  runs: number;
  searchSeed: number;
  /** Replay one counterexample of an earlier search (with the same searchSeed). */
  path?: string;
  faultsMax?: number;
  /** The kinds of fault to draw (default DEFAULT_FAULT_KINDS). */
  faultKinds?: readonly FaultKind[];
  /** Told after each run: how many ran so far, and whether the search is shrinking a failure (for a progress bar). */
  onRun?: (runsDone: number, isShrinking: boolean) => void;
}

/** Most fault events in a generated schedule, unless --faults-max says otherwise. */
export const CHECK_FAULTS_MAX_DEFAULT = 6;


/** One run of the scenario with a generated schedule in place of its own. */
function runWith(scenario: Scenario, seed: number, faults: FaultSchedule): { summaryVerdict: string; result: SystemRunResult } {
  const system = systemNamed(scenario.system);
  const spec = { ...system.runSpecOf(scenario, seed), faults };
  const result = system.run(spec);
  return { summaryVerdict: summarize(scenario, spec, result).verdict, result };
}

export function checkScenario(scenario: Scenario, options: CheckScenarioOptions): FaultSearchResult {
  const required = requiredChecks(scenario);
  const targets = systemNamed(scenario.system).faultTargets(scenario);
  let runsDone = 0;
  let isShrinking = false;
  return searchFaults(
    (seed, faults) => {
      const { summaryVerdict, result } = runWith(scenario, seed, faults);
      const failure = summaryVerdict !== "safety-failed" ? null : formatCheckResults(result.checks.filter((check) => !check.ok && required.includes(check.check)));
      runsDone++;
      options.onRun?.(runsDone, isShrinking);
      // Every run after the first failure is fast-check shrinking it.
      if (failure !== null) isShrinking = true;
      return failure;
    },
    {
      schedules: {
        nodeNames: targets.nodeNames,
        partitionNodeNames: targets.partitionNodeNames,
        horizonNs: scenario.duration,
        faultsMax: options.faultsMax ?? CHECK_FAULTS_MAX_DEFAULT,
        verbs: verbsOfKinds(options.faultKinds ?? DEFAULT_FAULT_KINDS),
        trafficClasses: targets.trafficClasses,
      },
      numRuns: options.runs,
      searchSeed: options.searchSeed,
      ...(options.path === undefined ? {} : { path: options.path }),
    },
  );
}
