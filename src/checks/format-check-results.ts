/**
 * One line per check, for terminals and reports:
 *   lost: ok (2000 acked, 1 group)
 *   duplicated: 3 messages delivered more than once, 3 extra deliveries (first at 1.234 s, event #812)
 * The wording of each line comes from the checker's counts.
 */
import type { CheckerName, CheckResult } from "./violation.js";
import { formatSeconds, plural } from "./wording.js";

type Counts = Readonly<Record<string, number>>;

interface Wording {
  /** What was examined, shown in parentheses after "ok". */
  passed: (c: Counts) => string;
  /** What was wrong. */
  failed: (c: Counts) => string;
}

const n = (c: Counts, key: string): number => c[key] ?? 0;

const WORDING: Record<CheckerName, Wording> = {
  lost: {
    passed: (c) => `${n(c, "acked")} acked, ${plural(n(c, "groups"), "group")}`,
    failed: (c) => `${n(c, "lost")} lost, ${n(c, "unseen")} unseen of ${n(c, "acked")} acked`,
  },
  "lost-effects": {
    passed: (c) => `${n(c, "acked")} acked, ${plural(n(c, "groups"), "applying group")}`,
    failed: (c) => `${n(c, "unapplied")} of ${n(c, "acked")} acked never applied`,
  },
  unexpected: {
    passed: (c) => `${n(c, "delivered")} delivered, ${n(c, "recovered")} recovered`,
    failed: (c) => `${plural(n(c, "unexpected"), "message")} delivered but never sent or refused`,
  },
  duplicated: {
    passed: (c) => `${n(c, "delivered")} delivered`,
    failed: (c) =>
      `${plural(n(c, "duplicated"), "message")} delivered more than once, ${plural(n(c, "extra"), "extra delivery", "extra deliveries")}`,
  },
  "duplicated-effects": {
    passed: (c) => `${n(c, "applied")} applied`,
    failed: (c) => `${plural(n(c, "duplicated"), "message")} applied more than once, ${plural(n(c, "extra"), "extra effect")}`,
  },
  reordered: {
    passed: (c) => `${n(c, "examined")} examined`,
    failed: (c) => plural(n(c, "inversions"), "inversion"),
  },
  "inconsistent-offsets": {
    passed: (c) => `${plural(n(c, "positions"), "position")}`,
    failed: (c) => `${plural(n(c, "inconsistent"), "position")} with conflicting ids`,
  },
  monotonic: {
    passed: (c) => `${plural(n(c, "polls"), "poll")}, ${plural(n(c, "exempted"), "reset")}`,
    failed: (c) =>
      [
        plural(n(c, "nonmonotonicPolls"), "nonmonotonic poll"),
        plural(n(c, "pollSkips"), "poll skip"),
        plural(n(c, "nonmonotonicSends"), "nonmonotonic send"),
      ]
        .filter((part) => !part.startsWith("0 "))
        .join(", "),
  },
  "dirty-read": {
    passed: (c) => `${plural(n(c, "checked"), "read")} checked, ${n(c, "unjudged")} not judged`,
    failed: (c) => plural(n(c, "dirty"), "dirty read"),
  },
  divergence: {
    passed: (c) => `${plural(n(c, "replicas"), "replica")} of ${plural(n(c, "streams"), "stream")}`,
    failed: (c) => `${plural(n(c, "divergent"), "divergent position")}`,
  },
  unavailability: {
    passed: (c) => unavailableTimes(c),
    failed: (c) => `${plural(n(c, "violations"), "window")} over the limit; ${unavailableTimes(c)}`,
  },
};

export function formatCheckResults(results: readonly CheckResult[]): string {
  return results.map(formatCheckResult).join("\n");
}

export function formatCheckResult(result: CheckResult): string {
  const first = result.violations[0];
  if (result.counts["missingInput"] !== undefined) return `${result.check}: FAILED: ${first?.message ?? "missing input"}`;
  const wording = WORDING[result.check];
  if (result.ok) return `${result.check}: ok (${wording.passed(result.counts)})`;
  const where = first === undefined ? "" : ` (first at ${formatSeconds(first.timeNs)}, event #${first.eventIndex})`;
  return `${result.check}: ${wording.failed(result.counts)}${where}`;
}

function unavailableTimes(c: Counts): string {
  const parts: string[] = [];
  for (const op of ["send", "receive"]) {
    const windows = n(c, `${op}Windows`);
    if (windows === 0) parts.push(`${op} never unavailable`);
    else {
      parts.push(
        `${op} ${formatSeconds(n(c, `${op}UnavailableNs`))} in ${plural(windows, "window")} ` +
          `(longest ${formatSeconds(n(c, `${op}LongestNs`))})`,
      );
    }
  }
  return parts.join(", ");
}
