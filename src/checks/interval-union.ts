/** Time intervals [startNs, endNs) and the total time they cover: unavailability windows, per stream and per client. */
import type { DurationNs, TimeNs } from "../kernel/time.js";

export interface Interval {
  startNs: TimeNs;
  endNs: TimeNs;
}

/** Total time covered by at least one interval (in any order; the array is left as it was). */
export function unionNs(intervals: readonly Interval[]): DurationNs {
  const sorted = [...intervals].sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
  let total = 0;
  let from = -1;
  let to = -1;
  for (const interval of sorted) {
    if (interval.startNs > to) {
      total += to - from;
      from = interval.startNs;
      to = interval.endNs;
    } else if (interval.endNs > to) to = interval.endNs;
  }
  return total + (to - from);
}
