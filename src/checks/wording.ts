/** Small helpers that keep violation messages and summaries uniform. */
import { NS_PER_SEC, type TimeNs } from "../kernel/time.js";

export function plural(count: number, noun: string, nounPlural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nounPlural}`;
}

/** "1.234 s": fixed three decimals, so summaries line up and compare as text. */
export function formatSeconds(timeNs: TimeNs): string {
  return `${(timeNs / NS_PER_SEC).toFixed(3)} s`;
}

/** "position 7" or "positions 7..9". */
export function describePositions(first: number, count: number): string {
  return count === 1 ? `position ${first}` : `positions ${first}..${first + count - 1}`;
}
