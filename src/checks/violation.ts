/**
 * What every checker returns. Checkers are pure functions over a finished
 * History (plus, for some, end-of-run snapshots); they never throw on a
 * defective history — a defect is a Violation, an exception is a checker bug.
 *
 * A checker ("lost") may report several kinds of anomaly ("lost" and
 * "unseen"), so `Violation.check` names the kind and `CheckResult.check` the
 * checker.
 */
import type { MessageId } from "../history/history.js";
import type { TimeNs } from "../kernel/time.js";

/** The checkers, in the order runChecks runs them. */
export const CHECKER_NAMES = [
  "lost",
  "lost-effects",
  "unexpected",
  "duplicated",
  "duplicated-effects",
  "reordered",
  "inconsistent-offsets",
  "monotonic",
  "dirty-read",
  "divergence",
  "unavailability",
] as const;

export type CheckerName = (typeof CHECKER_NAMES)[number];

/** Every kind of anomaly: the checkers' names plus the extra kinds some of them report. */
export type CheckName =
  | CheckerName
  /** Acknowledged, never delivered, and nothing after it was delivered either (maybe just late). */
  | "unseen"
  /** A consumer's next delivery starts at or before a position it was already given. */
  | "nonmonotonic-poll"
  /** A consumer's next delivery jumps over positions known to exist. */
  | "poll-skip"
  /** A producer's later message was acknowledged at a lower position than its earlier one. */
  | "nonmonotonic-send";

export interface IdRange {
  idFirst: MessageId;
  count: number;
}

export interface Violation {
  check: CheckName;
  message: string;
  /**
   * Index in history.events of the first event at which the defect became
   * visible (for end-of-run facts: the last event; -1 when the history is empty).
   */
  eventIndex: number;
  /** Time of that event (0 when the history is empty). */
  timeNs: TimeNs;
  /** The messages involved, as ascending ranges; truncated to the first few ranges. */
  messageIds: IdRange[];
}

export interface CheckResult {
  check: CheckerName;
  ok: boolean;
  /** The earliest violations by eventIndex (bounded); counts.violations says how many there were. */
  violations: Violation[];
  /** What was examined and what was wrong (always includes `violations`). */
  counts: Record<string, number>;
}
