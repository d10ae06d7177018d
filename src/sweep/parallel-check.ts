/**
 * `mqsim check --workers K`: K independent searches in worker threads, search
 * seeds seed, seed+1, …, seed+K−1, each with its share of the runs. The
 * reported counterexample is the one of the lowest-numbered search that
 * found one, not the first to finish, so the answer does not depend on
 * thread timing; it replays with that search's seed and path.
 */
import Tinypool from "tinypool";
import type { FaultKind } from "../faults/fault-kinds.js";
import { runCheckTask, type CheckSliceResult, type CheckTask } from "./check-task.js";
import { workerEntry } from "./run-sweep.js";

export interface ParallelCheckResult {
  slices: CheckSliceResult[];
  /** The lowest-seed slice that found a counterexample, if any. */
  found: CheckSliceResult | null;
  runs: number;
}

/**
 * `workers` searches; `threads` (default: as many) run them, so a search
 * split over fewer cores than searches gives the same answer, only later.
 */
export async function parallelCheck(
  document: unknown,
  options: { runs: number; searchSeed: number; faultsMax: number; faultKinds: readonly FaultKind[]; workers: number; threads?: number; onSearchDone?: (done: number, total: number) => void },
): Promise<ParallelCheckResult> {
  const workers = Math.max(1, Math.min(options.workers, options.runs));
  const threads = Math.max(1, Math.min(workers, options.threads ?? workers));
  const tasks: CheckTask[] = Array.from({ length: workers }, (_, k) => ({
    kind: "check",
    document,
    runs: Math.floor(options.runs / workers) + (k < options.runs % workers ? 1 : 0),
    searchSeed: options.searchSeed + k,
    faultsMax: options.faultsMax,
    faultKinds: options.faultKinds,
  }));
  let slices: CheckSliceResult[];
  if (workers === 1) slices = tasks.map(runCheckTask);
  else {
    const pool = new Tinypool({ ...workerEntry(), minThreads: threads, maxThreads: threads });
    try {
      let done = 0;
      // A whole search is the unit a worker reports: the bar moves as each ends.
      const report = (slice: CheckSliceResult): CheckSliceResult => (options.onSearchDone?.(++done, workers), slice);
      slices = await Promise.all(tasks.map((task) => (pool.run(task) as Promise<CheckSliceResult>).then(report)));
    } finally {
      await pool.destroy();
    }
  }
  return { slices, found: slices.find((slice) => slice.found) ?? null, runs: slices.reduce((sum, slice) => sum + slice.runsToFind, 0) };
}
