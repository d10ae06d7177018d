/**
 * Duplicate deliveries (Jepsen's duplicate; the queue checker's
 * "duplicated"): a message delivered to one group more than once, reported
 * at the delivery that repeated it. At-least-once systems are allowed these;
 * the caller decides whether this check matters, but it always reports.
 */
import type { History } from "../history/history.js";
import { checkRepeats } from "./repeats.js";
import type { CheckResult } from "./violation.js";

export function checkDuplicated(history: History): CheckResult {
  return checkRepeats(history, { check: "duplicated", event: "deliver", verb: "delivered" });
}
