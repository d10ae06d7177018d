/**
 * What a parameter sweep produced: one point per combination of parameter
 * values, each reduced to the few numbers a sweep table and its line charts
 * show. Built by the caller from one RunSummary per point (sweepPointFromRun),
 * plus the bottleneck analysis when it names one.
 */
import type { RunSummary, Verdict } from "./run-summary.js";

/** A parameter's value at one point: a number (rate, size, count), or a setting ("all", true). */
export type SweepValue = number | string | boolean;

export interface SweepMetrics {
  ackedPerSec: number;
  ackedBytesPerSec: number;
  produceP50Ns: number;
  produceP99Ns: number;
  produceP999Ns: number;
  /** Null when no consumer applied effects. */
  endToEndP99Ns: number | null;
  unavailableSendSeconds: number;
}

export type SweepMetric = keyof SweepMetrics;

export interface SweepPoint {
  /** This point's value of every swept parameter, in the sweep's parameter order. */
  parameters: { name: string; value: SweepValue }[];
  seed: string;
  digest: string;
  verdict: Verdict;
  metrics: SweepMetrics;
  /** The resource that limited this point ("b1 disk", "b2 NIC egress"), when the analysis names one. */
  bottleneck?: string | undefined;
  /** This point's own run report, relative to the sweep report's folder (points/p3/report.html), when one was written. */
  report?: string | undefined;
}

export interface SweepSummary {
  scenario: string;
  system: string;
  /** Swept parameter names, in the order the scenario lists them. */
  parameters: string[];
  points: SweepPoint[];
}

/** Reduces one run to a sweep point. */
export function sweepPointFromRun(
  parameters: { name: string; value: SweepValue }[],
  summary: RunSummary,
  bottleneck?: string,
): SweepPoint {
  return {
    parameters: parameters.map((p) => ({ name: p.name, value: p.value })),
    seed: summary.seed,
    digest: summary.digest,
    verdict: summary.verdict,
    metrics: {
      ackedPerSec: summary.throughput.ackedPerSec,
      ackedBytesPerSec: summary.throughput.ackedBytesPerSec,
      produceP50Ns: summary.latency.produce.p50Ns,
      produceP99Ns: summary.latency.produce.p99Ns,
      produceP999Ns: summary.latency.produce.p999Ns,
      endToEndP99Ns: summary.latency.endToEnd === null ? null : summary.latency.endToEnd.p99Ns,
      unavailableSendSeconds: summary.unavailability.sendSeconds,
    },
    bottleneck,
  };
}

/** The value of a named parameter at a point; undefined when the point does not set it. */
export function parameterValue(point: SweepPoint, name: string): SweepValue | undefined {
  return point.parameters.find((p) => p.name === name)?.value;
}
