/**
 * Duplicate effects: a message whose side effect one group applied more than
 * once, reported at the repeated "effect" event. This is what an idempotent
 * consumer must prevent even when deliveries repeat.
 */
import type { History } from "../history/history.js";
import { checkRepeats } from "./repeats.js";
import type { CheckResult } from "./violation.js";

export function checkDuplicatedEffects(history: History): CheckResult {
  return checkRepeats(history, { check: "duplicated-effects", event: "effect", verb: "applied" });
}
