/**
 * Where end-of-run facts (unseen messages, divergent replicas) become
 * visible: the last event of the history.
 */
import type { History } from "../history/history.js";
import type { TimeNs } from "../kernel/time.js";

export interface EventPoint {
  /** -1 when the history is empty. */
  eventIndex: number;
  timeNs: TimeNs;
}

export function endOfHistory(history: History): EventPoint {
  const eventIndex = history.length - 1;
  const last = history.events[eventIndex];
  return { eventIndex, timeNs: last === undefined ? 0 : last.timeNs };
}
