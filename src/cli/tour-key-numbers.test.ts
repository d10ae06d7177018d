import { describe, expect, it } from "vitest";
import { fixtureRunSummary } from "../report/report-fixture.js";
import type { RunSummary } from "../report/run-summary.js";
import { tourKeyNumbers } from "./tour-key-numbers.js";

function summary(change: (summary: RunSummary) => void = () => {}): RunSummary {
  const base = fixtureRunSummary();
  change(base);
  return base;
}

describe("a tour line's key numbers", () => {
  it("C2 leads with the user's request latency, not the producer's", () => {
    const withRequests = summary((s) => (s.latency.request = { ...s.latency.produce, p50Ns: 953.7e6, p99Ns: 954.1e6 }));
    expect(tourKeyNumbers("C2", withRequests)).toMatch(/^user request p50 954 ms, p99 954 ms, 1950 msg\/s, produce p99 /);
  });

  it("C13 leads with the duplicates, and says none when the check held", () => {
    const doubled = summary((s) => s.checks.push({ check: "duplicated-effects", ok: false, line: "duplicated-effects: 9 messages applied more than once, 9 extra effects (first at 6.011 s, event #1099)" }));
    expect(tourKeyNumbers("C13", doubled)).toMatch(/^duplicated-effects: 9 messages applied more than once, 9 extra effects, /);
    const once = summary((s) => s.checks.push({ check: "duplicated-effects", ok: true, line: "duplicated-effects: ok (999 applied)" }));
    expect(tourKeyNumbers("C13", once)).toMatch(/^duplicated-effects: none, /);
  });

  it("C9 leads with the unavailability, and any claim names a failed check once, without where it was first seen", () => {
    const failover = summary((s) => (s.checks = s.checks.map((check) => (check.check === "lost" ? { check: "lost", ok: false, line: "lost: 3 lost, 0 unseen of 39000 acked (first at 3.1 s, event #7)" } : check))));
    const line = tourKeyNumbers("C9", failover);
    expect(line).toMatch(/^writes unavailable 1\.3 s \(longest on one stream 1\.3 s\), lost: 3 lost, 0 unseen of 39000 acked, /);
    expect(line.match(/lost: 3 lost/g)).toHaveLength(1);
  });

  it("C3 leads with the peak backlog and how long it took to drain", () => {
    expect(tourKeyNumbers("C3", summary())).toMatch(/^peak backlog [\d,]+, (drained \d+ s after its peak|backlog not drained by the end of the run), /);
  });
});
