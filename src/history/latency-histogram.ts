/**
 * Every latency percentile mqsim reports comes from here: an HDR histogram
 * (hdr-histogram-js; 3 significant digits, so a percentile is within 0.1% of
 * the exact sample, from 1 ns to 10 minutes and beyond), for the run
 * summary, the reports and the benches alike, instead of a full sort in
 * one place and a histogram in another.
 *
 * A percentile is the histogram's value at that percentile: the highest
 * value equivalent to the bucket holding it, so it never reads below the
 * sample it stands for. Deterministic: the same samples in any order give
 * the same histogram.
 */
import { build, type Histogram } from "hdr-histogram-js";
import type { LatencySummary } from "../report/run-summary.js";

const NS_PER_SECOND = 1_000_000_000;
/** Points of a summary's CDF, at equal steps of the fraction. */
const CDF_POINTS = 200;

export type LatencyHistogram = Histogram;

/** An empty histogram of latencies in integer nanoseconds (it grows past 10 minutes if it must). */
export function newLatencyHistogram(): LatencyHistogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 600 * NS_PER_SECOND, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** The value at `percentile` (0..100), or null for an empty histogram. */
export function percentileNs(histogram: LatencyHistogram, percentile: number): number | null {
  return histogram.totalCount === 0 ? null : histogram.getValueAtPercentile(percentile);
}

/** count, p50, p99, p99.9, max and a CDF of ~200 points. */
export function latencySummaryOf(histogram: LatencyHistogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, p50Ns: 0, p99Ns: 0, p999Ns: 0, maxNs: 0, cdf: [] };
  const cdf: { ns: number; fraction: number }[] = [];
  for (let k = 1; k <= CDF_POINTS; k++) {
    const fraction = k / CDF_POINTS;
    const ns = histogram.getValueAtPercentile(fraction * 100);
    // Equal values collapse into the point with the highest fraction.
    if (cdf.length > 0 && cdf[cdf.length - 1]!.ns === ns) cdf[cdf.length - 1]!.fraction = fraction;
    else cdf.push({ ns, fraction });
  }
  return { count, p50Ns: histogram.getValueAtPercentile(50), p99Ns: histogram.getValueAtPercentile(99), p999Ns: histogram.getValueAtPercentile(99.9), maxNs: histogram.maxValue, cdf };
}

/** The summary of these samples (nanoseconds, rounded to integers). */
export function latencySummary(samplesNs: readonly number[]): LatencySummary {
  const histogram = newLatencyHistogram();
  for (const sample of samplesNs) histogram.recordValue(Math.max(0, Math.round(sample)));
  const summary = latencySummaryOf(histogram);
  histogram.destroy();
  return summary;
}
