/**
 * Keeps the earliest violations of one checker and counts the rest, so a
 * disaster (every message lost) costs a counter, not a million objects.
 * "Earliest" is by eventIndex, ties in the order offered, whatever order the
 * checker discovers them in.
 */
import type { CheckerName, CheckResult, Violation } from "./violation.js";

export const VIOLATIONS_KEPT = 100;

export class ViolationList {
  private readonly kept: Violation[] = [];
  private total = 0;

  constructor(private readonly limit: number = VIOLATIONS_KEPT) {}

  /** How many violations were offered, kept or not. */
  get count(): number {
    return this.total;
  }

  /** Offers a violation visible at `eventIndex`; `make` runs only when it is kept. */
  offer(eventIndex: number, make: () => Violation): void {
    this.total++;
    const kept = this.kept;
    const last = kept[kept.length - 1];
    if (kept.length >= this.limit && (last === undefined || eventIndex >= last.eventIndex)) return;
    const at = this.upperBound(eventIndex);
    kept.splice(at, 0, make());
    if (kept.length > this.limit) kept.pop();
  }

  /** The result of a checker whose only failures are these violations. */
  result(check: CheckerName, counts: Record<string, number>): CheckResult {
    return { check, ok: this.total === 0, violations: [...this.kept], counts: { ...counts, violations: this.total } };
  }

  /** First kept position whose eventIndex is greater: equal ones stay in the order offered. */
  private upperBound(eventIndex: number): number {
    let lo = 0;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.kept[mid]!.eventIndex <= eventIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
