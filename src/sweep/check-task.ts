/**
 * One slice of a parallel `mqsim check`: an independent fast-check search of
 * the scenario with its own search seed. Plain JSON in and out, so it runs
 * the same in a worker thread or in-process.
 */
import type { FaultKind } from "../faults/fault-kinds.js";
import type { FaultSchedule } from "../faults/fault.js";
import { checkScenario } from "../scenario/check-scenario.js";
import { validateScenario } from "../scenario/load.js";

export interface CheckTask {
  kind: "check";
  /** The raw scenario document (validated again in the worker). */
  document: unknown;
  runs: number;
  searchSeed: number;
  faultsMax: number;
  faultKinds: readonly FaultKind[];
}

export interface CheckSliceResult {
  searchSeed: number;
  found: boolean;
  runsToFind: number;
  shrinks: number;
  searchPath: string | null;
  counterexample: { seed: number; faults: FaultSchedule; failure: string } | null;
}

export function runCheckTask(task: CheckTask): CheckSliceResult {
  const loaded = validateScenario(task.document);
  if (!loaded.ok) throw new Error(`check: the scenario is invalid in the worker: ${loaded.problems[0]?.message ?? ""}`);
  const search = checkScenario(loaded.scenario, { runs: task.runs, searchSeed: task.searchSeed, faultsMax: task.faultsMax, faultKinds: task.faultKinds });
  return {
    searchSeed: task.searchSeed,
    found: search.found,
    runsToFind: search.runsToFind,
    shrinks: search.shrinks,
    searchPath: search.searchPath,
    counterexample: search.counterexample,
  };
}
