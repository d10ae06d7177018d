/**
 * Helpers for properties written with the library (README, "As a library"):
 * a generated fault schedule as a scenario file's `faults:` (times in the
 * units scenario files use), and an assertion that names the checks that
 * failed, so a failing property says what went wrong, not just "false".
 */
import type { FaultSchedule } from "../faults/fault.js";
import type { RunSummary } from "../report/run-summary.js";
import { formatDurationNs } from "./units.js";

/** The schedule as a scenario's `faults:` list: `{ at: "3000432.025us", verb, … }`, exactly the same times. */
export function scenarioFaults(schedule: FaultSchedule): Record<string, unknown>[] {
  return schedule.map(({ atNs, ...fault }) => ({ at: formatDurationNs(atNs), ...fault }));
}

/** Throws an Error naming every failed check (its line and where it was first seen) and the replay command; returns when all held. */
export function assertChecksHold(summary: RunSummary): void {
  const failed = summary.checks.filter((check) => !check.ok);
  if (failed.length === 0) return;
  const lines = failed.map((check) => `${check.line}${check.first === undefined ? "" : `: ${check.first.message}`}`);
  throw new Error(`${failed.length === 1 ? "a check" : `${failed.length} checks`} failed in ${summary.scenario} (seed ${summary.seed}):\n  ${lines.join("\n  ")}\nreplay: ${summary.replay ?? `npx mqsim replay ${summary.scenario} --seed ${summary.seed}`}`);
}
