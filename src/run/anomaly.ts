/**
 * A row of an anomaly table, for any system: an unsafe setting and the
 * family of faults that breaks it, the safe counterpart, the checks whose
 * failure *is* the anomaly, and the mechanism that tells it from any other
 * failure. One judge and one property serve every system, so "found",
 * "fixed" and "reproduces" mean the same thing for Kafka's K rows and
 * RabbitMQ's R rows (properties/anomalies.property.test.ts runs them all).
 */
import { formatCheckResults } from "../checks/format-check-results.js";
import type { CheckerName } from "../checks/violation.js";
import type { FaultScheduleOptions } from "../faults/arbitrary.js";
import type { FaultSchedule } from "../faults/fault.js";
import { describeCounterexample, searchFaults, type FaultRun } from "../faults/search.js";
import type { SystemRunResult } from "./system.js";

export type AnomalySetting = "unsafe" | "safe";

export interface SystemAnomaly<Result extends SystemRunResult = SystemRunResult> {
  id: string;
  title: string;
  /** What goes wrong, in the anomaly table's words. */
  effect: string;
  /** The faults the search draws from. */
  schedules: FaultScheduleOptions;
  /** Checks whose failure is this anomaly (the safe setting must pass them all). */
  checks: CheckerName[];
  /** Mechanism test: null when the failed run shows this anomaly's mechanism, else why not. */
  mechanism(result: Result): string | null;
  /** Optional: null when a safe run shows how the fix avoided the mechanism, else why not. */
  fixedBy?(result: Result): string | null;
  /** A fixed schedule that reproduces the anomaly deterministically under the unsafe setting. */
  named: { seed: number; faults: FaultSchedule };
  /** Generated runs the unsafe search may take, and the runs shrinking may spend after the first failure (none: unbounded). */
  search: { findRunsMax: number; shrinkRunsMax?: number };
  /** The anomaly's cluster and workload under one setting, run with these faults. */
  run(setting: AnomalySetting, seed: number, faults: FaultSchedule): Result;
}

export interface AnomalyJudgement {
  isAnomaly: boolean;
  /** The anomaly's checks that failed. */
  failed: string[];
  /** Why the failure is not this anomaly's mechanism (null when it is, or when nothing failed). */
  mechanism: string | null;
}

/** The anomaly's checks that failed, and whether the failure shows its mechanism. */
export function judgeAnomaly<Result extends SystemRunResult>(anomaly: SystemAnomaly<Result>, result: Result): AnomalyJudgement {
  const failed = result.checks.filter((check) => anomaly.checks.includes(check.check) && !check.ok).map((check) => check.check);
  const mechanism = failed.length === 0 ? null : anomaly.mechanism(result);
  return { isAnomaly: failed.length > 0 && mechanism === null, failed, mechanism };
}

/**
 * The property a search tests. "unsafe": the run must not show the anomaly
 * (so the search's counterexample is one). "safe": the run must pass the
 * anomaly's checks and converge (so a counterexample is a broken claim).
 */
export function anomalyProperty<Result extends SystemRunResult>(anomaly: SystemAnomaly<Result>, setting: AnomalySetting): FaultRun {
  return (seed, faults) => {
    const result = anomaly.run(setting, seed, faults);
    const judged = judgeAnomaly(anomaly, result);
    const failed = result.checks.filter((check) => judged.failed.includes(check.check));
    if (setting === "unsafe") return judged.isAnomaly ? `${anomaly.id} (${anomaly.effect}):\n${formatCheckResults(failed)}` : null;
    if (failed.length > 0) return `${anomaly.id}'s safe setting failed:\n${formatCheckResults(failed)}`;
    if (!result.liveness.isConverged) return `${anomaly.id}'s safe setting did not converge: ${result.liveness.reasons.slice(0, 5).join("; ")}`;
    return null;
  };
}

/**
 * A run with a shrinking budget: once `runsMax` runs have followed the first
 * failure, every new candidate "passes", so fast-check stops at the last
 * failing schedule; replaying that schedule (as searchFaults does) still
 * fails. Counting runs keeps the budget deterministic, unlike a time limit.
 */
export function withShrinkBudget(run: FaultRun, runsMax: number): FaultRun {
  let calls = 0;
  let firstFailureAt = -1;
  let lastFailure: { key: string; failure: string } | null = null;
  return (seed, faults) => {
    calls++;
    const key = JSON.stringify([seed, faults]);
    if (lastFailure !== null && lastFailure.key === key) return lastFailure.failure;
    if (firstFailureAt >= 0 && calls - firstFailureAt > runsMax) return null;
    const failure = run(seed, faults);
    if (failure !== null) {
      if (firstFailureAt < 0) firstFailureAt = calls;
      lastFailure = { key, failure };
    }
    return failure;
  };
}

export interface AnomalyCounterexample {
  id: string;
  title: string;
  runsToFind: number;
  shrinks: number;
  seed: number;
  faults: FaultSchedule;
  /** describeCounterexample's text: replay seed, the schedule line by line and as JSON, the failure. */
  text: string;
}

/** The anomaly searched for under its unsafe setting, shrunk (deterministic for a search seed); null when the search's budget ran out first. */
export function anomalyCounterexample(anomaly: SystemAnomaly, searchSeed: number): AnomalyCounterexample | null {
  const unsafe = anomalyProperty(anomaly, "unsafe");
  const property = anomaly.search.shrinkRunsMax === undefined ? unsafe : withShrinkBudget(unsafe, anomaly.search.shrinkRunsMax);
  const search = searchFaults(property, { schedules: anomaly.schedules, numRuns: anomaly.search.findRunsMax, searchSeed });
  if (search.counterexample === null) return null;
  const { seed, faults } = search.counterexample;
  return { id: anomaly.id, title: anomaly.title, runsToFind: search.runsToFind, shrinks: search.shrinks, seed, faults, text: describeCounterexample(search.counterexample) };
}
