/**
 * Runs the chosen checkers over one history in a fixed order
 * (CHECKER_NAMES). Checkers that need end-of-run snapshots (divergence:
 * replicas; dirty-read: finalLogs) are skipped when the snapshots are absent —
 * unless named in `checks`, in which case the missing input is itself a
 * failure, so a scenario that asks for a check can never pass by omission.
 */
import type { History } from "../history/history.js";
import { checkDirtyReads } from "./dirty-read.js";
import { checkDivergence } from "./divergence.js";
import { checkDuplicatedEffects } from "./duplicated-effects.js";
import { checkDuplicated } from "./duplicated.js";
import { endOfHistory } from "./history-end.js";
import { checkInconsistentOffsets, type InconsistentOffsetsOptions } from "./inconsistent-offsets.js";
import type { FinalLog, ReplicaSnapshot } from "./log-snapshot.js";
import { checkLostEffects, type LostEffectsOptions } from "./lost-effects.js";
import { checkLost, type LostOptions } from "./lost.js";
import { checkMonotonic, type MonotonicOptions } from "./monotonic.js";
import { checkReordered } from "./reordered.js";
import { checkUnavailability, type UnavailabilityOptions } from "./unavailability.js";
import { checkUnexpected } from "./unexpected.js";
import { CHECKER_NAMES, type CheckerName, type CheckResult } from "./violation.js";

export { formatCheckResults } from "./format-check-results.js";

export interface CheckInputs {
  /** Every replica of every stream at the end of the run (for divergence). */
  replicas?: readonly ReplicaSnapshot[];
  /** The authoritative log of every stream at the end of the run (for dirty-read). */
  finalLogs?: readonly FinalLog[];
}

export interface RunChecksOptions {
  /** Which checkers to run (always in CHECKER_NAMES order); default: all whose inputs are present. */
  checks?: readonly CheckerName[];
  lost?: LostOptions;
  lostEffects?: LostEffectsOptions;
  inconsistentOffsets?: InconsistentOffsetsOptions;
  monotonic?: MonotonicOptions;
  unavailability?: UnavailabilityOptions;
}

export function runChecks(history: History, inputs: CheckInputs = {}, options: RunChecksOptions = {}): CheckResult[] {
  const requested = options.checks;
  const results: CheckResult[] = [];
  for (const name of CHECKER_NAMES) {
    if (requested !== undefined && !requested.includes(name)) continue;
    const result = runOne(name, history, inputs, options);
    if (result !== null) results.push(result);
    else if (requested !== undefined) results.push(missingInput(name, history));
  }
  return results;
}

/** null when the checker's input is absent. */
function runOne(name: CheckerName, history: History, inputs: CheckInputs, options: RunChecksOptions): CheckResult | null {
  switch (name) {
    case "lost":
      return checkLost(history, options.lost);
    case "lost-effects":
      return checkLostEffects(history, options.lostEffects);
    case "unexpected":
      return checkUnexpected(history);
    case "duplicated":
      return checkDuplicated(history);
    case "duplicated-effects":
      return checkDuplicatedEffects(history);
    case "reordered":
      return checkReordered(history);
    case "inconsistent-offsets":
      return checkInconsistentOffsets(history, options.inconsistentOffsets);
    case "monotonic":
      return checkMonotonic(history, options.monotonic);
    case "dirty-read":
      return inputs.finalLogs === undefined ? null : checkDirtyReads(history, inputs.finalLogs);
    case "divergence":
      return inputs.replicas === undefined ? null : checkDivergence(history, inputs.replicas);
    case "unavailability":
      return checkUnavailability(history, options.unavailability);
  }
}

function missingInput(name: CheckerName, history: History): CheckResult {
  const input = name === "divergence" ? "replicas" : "finalLogs";
  const end = endOfHistory(history);
  return {
    check: name,
    ok: false,
    violations: [
      {
        check: name,
        message: `${name} was requested but no ${input} were given, so nothing could be checked`,
        eventIndex: end.eventIndex,
        timeNs: end.timeNs,
        messageIds: [],
      },
    ],
    counts: { violations: 1, missingInput: 1 },
  };
}
