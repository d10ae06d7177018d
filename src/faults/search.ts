/**
 * Searching fault schedules for a counterexample, fast-check style: generate
 * (run seed, schedule) pairs, run each, and when one breaks the property
 * shrink it to a minimal schedule. The counterexample is then replayed once
 * more from its seed, so a reported failure is known to reproduce.
 *
 * The search is itself deterministic: fast-check draws from `searchSeed`, so
 * the same search finds the same counterexample after the same number of
 * runs, on any machine.
 */
import fc from "fast-check";
import { faultScheduleArbitrary, type FaultScheduleOptions } from "./arbitrary.js";
import { describeFault, type FaultSchedule } from "./fault.js";

/** What a run says about the property: null when it held, else why not (one paragraph). */
export type FaultRun = (seed: number, faults: FaultSchedule) => string | null;

export interface FaultSearchOptions {
  schedules: FaultScheduleOptions;
  /** Most generated runs before giving up (shrinking runs are counted apart). */
  numRuns: number;
  /** fast-check's seed for the search itself. */
  searchSeed: number;
  /** Largest run seed drawn (run seeds shrink toward 0). Default 2^31 - 1. */
  runSeedMax?: number;
  /** Replays one counterexample: fast-check's path from an earlier search with the same searchSeed. */
  path?: string;
}

export interface Counterexample {
  seed: number;
  faults: FaultSchedule;
  /** Why the property failed, from replaying the shrunk counterexample. */
  failure: string;
}

export interface FaultSearchResult {
  found: boolean;
  /** Generated runs until the first failure (all of them when none failed). */
  runsToFind: number;
  /** Successful shrinking steps. */
  shrinks: number;
  counterexample: Counterexample | null;
  /** fast-check's replay handle for the search: seed and path. */
  searchSeed: number;
  searchPath: string | null;
}

export function searchFaults(run: FaultRun, options: FaultSearchOptions): FaultSearchResult {
  const property = fc.property(
    fc.integer({ min: 0, max: options.runSeedMax ?? 2_147_483_647 }),
    faultScheduleArbitrary(options.schedules),
    (seed, faults) => run(seed, faults) === null,
  );
  const details = fc.check(property, { numRuns: options.numRuns, seed: options.searchSeed, endOnFailure: false, ...(options.path === undefined ? {} : { path: options.path }) });
  if (!details.failed || details.counterexample === null) {
    return { found: false, runsToFind: details.numRuns, shrinks: 0, counterexample: null, searchSeed: options.searchSeed, searchPath: null };
  }
  const [seed, faults] = details.counterexample;
  const failure = run(seed, faults);
  if (failure === null) throw new Error(`the shrunk counterexample did not fail again on replay (seed ${seed}): the run is not deterministic`);
  return {
    found: true,
    runsToFind: details.numRuns,
    shrinks: details.numShrinks,
    counterexample: { seed, faults, failure },
    searchSeed: options.searchSeed,
    searchPath: details.counterexamplePath,
  };
}

/** The counterexample as a person reads it: seed, schedule line by line, and the exact schedule as JSON. */
export function describeCounterexample(counterexample: Counterexample): string {
  return [
    `replay seed: ${counterexample.seed}`,
    `fault schedule (${counterexample.faults.length} events):`,
    ...counterexample.faults.map((fault) => `  ${describeFault(fault)}`),
    `exact schedule: ${JSON.stringify(counterexample.faults)}`,
    counterexample.failure,
  ].join("\n");
}
