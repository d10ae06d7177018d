import { describe, expect, it } from "vitest";
import { latencySummary, newLatencyHistogram, percentileNs } from "./latency-histogram.js";

/** 10,000 latencies from 100 µs to about 2.1 s, spread unevenly. */
const SAMPLES = Array.from({ length: 10_000 }, (_, k) => 100_000 + ((k * 7_919) % 10_000) ** 2 * 21);

function exact(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

describe("latency percentiles (HDR, one implementation)", () => {
  it("p50, p99 and p99.9 are within 0.1% of the exact samples and never below them; max is the largest", () => {
    const summary = latencySummary(SAMPLES);
    expect(summary.count).toBe(SAMPLES.length);
    for (const [q, value] of [[0.5, summary.p50Ns], [0.99, summary.p99Ns], [0.999, summary.p999Ns]] as const) {
      const truth = exact(SAMPLES, q);
      expect(value).toBeGreaterThanOrEqual(truth);
      expect((value - truth) / truth).toBeLessThan(0.001);
    }
    expect(Math.abs(summary.maxNs - Math.max(...SAMPLES)) / Math.max(...SAMPLES)).toBeLessThan(0.001);
  });

  it("the order of the samples does not matter, and the CDF rises to 1 at most 200 points", () => {
    const forward = latencySummary(SAMPLES);
    const backward = latencySummary([...SAMPLES].reverse());
    expect(backward).toEqual(forward);
    expect(forward.cdf.length).toBeLessThanOrEqual(200);
    expect(forward.cdf[forward.cdf.length - 1]!.fraction).toBe(1);
    for (let k = 1; k < forward.cdf.length; k++) expect(forward.cdf[k]!.ns).toBeGreaterThan(forward.cdf[k - 1]!.ns);
  });

  it("an empty set of samples has count 0 and no CDF; percentileNs of an empty histogram is null", () => {
    expect(latencySummary([])).toEqual({ count: 0, p50Ns: 0, p99Ns: 0, p999Ns: 0, maxNs: 0, cdf: [] });
    expect(percentileNs(newLatencyHistogram(), 99)).toBeNull();
  });
});
