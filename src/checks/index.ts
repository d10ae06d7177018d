/**
 * System-neutral checkers over a History: every system's runs are judged by
 * the same code. Each checker is a pure function (history, …) => CheckResult;
 * runChecks runs a chosen set in a fixed order.
 */
export { checkDirtyReads } from "./dirty-read.js";
export { checkDivergence } from "./divergence.js";
export { checkDuplicatedEffects } from "./duplicated-effects.js";
export { checkDuplicated } from "./duplicated.js";
export { formatCheckResult, formatCheckResults } from "./format-check-results.js";
export { checkInconsistentOffsets, type InconsistentOffsetsOptions } from "./inconsistent-offsets.js";
export type { FinalLog, LogEntry, ReplicaSnapshot } from "./log-snapshot.js";
export { checkLostEffects, type LostEffectsOptions } from "./lost-effects.js";
export { checkLost, NO_GROUP, type LostOptions } from "./lost.js";
export { checkMonotonic, type MonotonicOptions } from "./monotonic.js";
export { checkReordered } from "./reordered.js";
export { runChecks, type CheckInputs, type RunChecksOptions } from "./run-checks.js";
export {
  checkUnavailability,
  UNAVAILABLE_OPS,
  type UnavailabilityOptions,
  type UnavailabilityResult,
  type UnavailabilityWindow,
  type UnavailableOp,
} from "./unavailability.js";
export { checkUnexpected } from "./unexpected.js";
export { VIOLATIONS_KEPT } from "./violation-list.js";
export {
  CHECKER_NAMES,
  type CheckerName,
  type CheckName,
  type CheckResult,
  type IdRange,
  type Violation,
} from "./violation.js";
